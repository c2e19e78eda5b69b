import Imaging

/// An 8-bit RGB colour.
public struct Color: Sendable, Equatable {
    public var red: UInt8, green: UInt8, blue: UInt8

    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let white = Color(255, 255, 255)
    public static let black = Color(0, 0, 0)
}

extension RGBImage {
    /// Mixes `color` into the pixel with weight `alpha`/255; pixels outside the image are ignored.
    @inline(__always)
    public mutating func blend(x: Int, y: Int, color: Color, alpha: Int) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let index = (y * width + x) * 3
        let keep = 255 - alpha
        pixels[index] = UInt8((Int(pixels[index]) * keep + Int(color.red) * alpha + 127) / 255)
        pixels[index + 1] = UInt8((Int(pixels[index + 1]) * keep + Int(color.green) * alpha + 127) / 255)
        pixels[index + 2] = UInt8((Int(pixels[index + 2]) * keep + Int(color.blue) * alpha + 127) / 255)
    }

    /// Fills a rectangle, clipped to the image, blending with `alpha` (255: opaque).
    public mutating func fill(x: Int, y: Int, width rectWidth: Int, height rectHeight: Int, color: Color, alpha: Int = 255) {
        let left = max(x, 0), top = max(y, 0)
        let right = min(x + rectWidth, width), bottom = min(y + rectHeight, height)
        guard left < right, top < bottom else { return }
        for row in top..<bottom {
            for column in left..<right {
                if alpha >= 255 {
                    let index = (row * width + column) * 3
                    pixels[index] = color.red
                    pixels[index + 1] = color.green
                    pixels[index + 2] = color.blue
                } else {
                    blend(x: column, y: row, color: color, alpha: alpha)
                }
            }
        }
    }

    /// The outline of a rectangle, `thickness` pixels wide, drawn inside its bounds.
    public mutating func strokeRectangle(x: Int, y: Int, width rectWidth: Int, height rectHeight: Int, thickness: Int, color: Color) {
        let t = max(1, min(thickness, rectWidth / 2, rectHeight / 2))
        fill(x: x, y: y, width: rectWidth, height: t, color: color)
        fill(x: x, y: y + rectHeight - t, width: rectWidth, height: t, color: color)
        fill(x: x, y: y, width: t, height: rectHeight, color: color)
        fill(x: x + rectWidth - t, y: y, width: t, height: rectHeight, color: color)
    }
}

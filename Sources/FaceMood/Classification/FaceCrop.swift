import Foundation
/// The classifier's view of a detected face, made as the fer pipeline makes it: the box squared around
/// its centre (the shorter side grows by the difference, the origin moves back by half of it, rounded
/// down), grown by `margin` pixels on every side, and cut from the frame; pixels outside the frame take
/// the mean of the frame's two bottom rows (rounded half to even, as `cv2.copyMakeBorder` stores it).
///
/// fer pads the frame by 40 pixels and cuts from the padded frame, so with margins above 40 its crop is
/// clipped where this one is filled; with the default margin of 10 and boxes inside the frame they agree.
public struct FaceCrop: Sendable, Equatable {
    /// The region cut from the frame, in frame coordinates (it may extend past the frame's edges).
    public let region: FaceBox

    public init(box: FaceBox, margin: Int) {
        var square = box
        if square.height > square.width {
            let difference = square.height - square.width
            square.x -= floorDivide(difference, 2)
            square.width += difference
        } else if square.width > square.height {
            let difference = square.width - square.height
            square.y -= floorDivide(difference, 2)
            square.height += difference
        }
        region = FaceBox(x: square.x - margin, y: square.y - margin, width: square.width + 2 * margin, height: square.height + 2 * margin)
    }

    /// The region's pixels.
    public func cut(from frame: GrayImage) -> GrayImage {
        let fill = Self.borderValue(of: frame)
        var pixels = [UInt8](repeating: fill, count: region.width * region.height)
        let left = max(region.x, 0), right = min(region.x + region.width, frame.width)
        let top = max(region.y, 0), bottom = min(region.y + region.height, frame.height)
        if left < right {
            frame.pixels.withUnsafeBufferPointer { source in
                pixels.withUnsafeMutableBufferPointer { target in
                    for y in max(top, 0)..<max(bottom, top) {
                        let from = source.baseAddress! + y * frame.width + left
                        let to = target.baseAddress! + (y - region.y) * region.width + (left - region.x)
                        to.update(from: from, count: right - left)
                    }
                }
            }
        }
        return GrayImage(width: region.width, height: region.height, checkedPixels: pixels)
    }

    /// The region's pixels turned by `angle` radians about its centre (bilinear), so that a line at that angle
    /// in the frame comes out level; pixels from outside the frame take the border value, as in `cut(from:)`.
    public func cut(from frame: GrayImage, turnedBy angle: Double) -> GrayImage {
        guard angle.isFinite, abs(angle) > 1e-3 else { return cut(from: frame) }
        let fill = Double(Self.borderValue(of: frame))
        let cosine = cos(angle), sine = sin(angle)
        let centerX = Double(region.x) + Double(region.width) / 2, centerY = Double(region.y) + Double(region.height) / 2
        var pixels = [UInt8](repeating: 0, count: region.width * region.height)
        frame.pixels.withUnsafeBufferPointer { source in
            func value(_ x: Int, _ y: Int) -> Double {
                x >= 0 && y >= 0 && x < frame.width && y < frame.height ? Double(source[y * frame.width + x]) : fill
            }
            for v in 0..<region.height {
                for u in 0..<region.width {
                    let dx = Double(u) + 0.5 - Double(region.width) / 2, dy = Double(v) + 0.5 - Double(region.height) / 2
                    let x = centerX + dx * cosine - dy * sine - 0.5, y = centerY + dx * sine + dy * cosine - 0.5
                    let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
                    let fx = x - Double(x0), fy = y - Double(y0)
                    let top = value(x0, y0) * (1 - fx) + value(x0 + 1, y0) * fx
                    let bottom = value(x0, y0 + 1) * (1 - fx) + value(x0 + 1, y0 + 1) * fx
                    pixels[v * region.width + u] = UInt8(clamping: Int((top * (1 - fy) + bottom * fy).rounded()))
                }
            }
        }
        return GrayImage(width: region.width, height: region.height, checkedPixels: pixels)
    }

    /// The mean of the two bottom rows (one row for a one-row frame), rounded half to even.
    static func borderValue(of frame: GrayImage) -> UInt8 {
        let rows = min(2, frame.height)
        let start = (frame.height - rows) * frame.width
        let total = frame.pixels[start...].reduce(0) { $0 + Int($1) }
        let mean = Double(total) / Double(rows * frame.width)
        return UInt8(mean.rounded(.toNearestOrEven))
    }
}

/// Python's `//`: rounds toward minus infinity.
@inline(__always)
func floorDivide(_ a: Int, _ b: Int) -> Int {
    let quotient = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
}

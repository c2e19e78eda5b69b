/// An 8-bit single-channel image, rows packed with no padding.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height,
                     "a \(width)x\(height) gray image needs \(width * height) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    @inlinable public subscript(x: Int, y: Int) -> UInt8 { pixels[y * width + x] }
}

/// An 8-bit RGB image (R, G, B interleaved), rows packed with no padding.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "a \(width)x\(height) RGB image needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// A clockwise rotation by a multiple of 90 degrees, as a display matrix asks for.
public enum Rotation: Int, Sendable, Codable, CaseIterable {
    case none = 0
    case clockwise90 = 90
    case upsideDown = 180
    case clockwise270 = 270

    /// Whether width and height trade places.
    public var swapsDimensions: Bool { self == .clockwise90 || self == .clockwise270 }

    /// Moves interleaved pixels (`channels` bytes each) of a packed `width`×`height` image.
    /// The mapping is the one of FFmpeg's `transpose=clock`, `hflip,vflip` and `transpose=cclock` filters.
    public func apply(to source: [UInt8], width: Int, height: Int, channels: Int) -> [UInt8] {
        if self == .none { return source }
        var rotated = [UInt8](repeating: 0, count: source.count)
        let outWidth = swapsDimensions ? height : width
        let outHeight = swapsDimensions ? width : height
        source.withUnsafeBufferPointer { src in
            rotated.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let sx: Int, sy: Int
                        switch self {
                        case .clockwise90: sx = y; sy = height - 1 - x
                        case .upsideDown: sx = width - 1 - x; sy = height - 1 - y
                        case .clockwise270: sx = width - 1 - y; sy = x
                        case .none: sx = x; sy = y
                        }
                        let s = (sy * width + sx) * channels
                        let d = (y * outWidth + x) * channels
                        for c in 0..<channels { dst[d + c] = src[s + c] }
                    }
                }
            }
        }
        return rotated
    }
}

extension GrayImage {
    public func rotated(_ rotation: Rotation) -> GrayImage {
        guard rotation != .none else { return self }
        let pixels = rotation.apply(to: pixels, width: width, height: height, channels: 1)
        return rotation.swapsDimensions
            ? GrayImage(width: height, height: width, pixels: pixels)
            : GrayImage(width: width, height: height, pixels: pixels)
    }
}

extension RGBImage {
    public func rotated(_ rotation: Rotation) -> RGBImage {
        guard rotation != .none else { return self }
        let pixels = rotation.apply(to: pixels, width: width, height: height, channels: 3)
        return rotation.swapsDimensions
            ? RGBImage(width: height, height: width, pixels: pixels)
            : RGBImage(width: width, height: height, pixels: pixels)
    }
}

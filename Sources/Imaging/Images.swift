import Foundation

/// The largest image facemood accepts, in pixels: 8192×8192 (64 Mi pixels, 192 MiB as RGB). Larger frames
/// are refused before anything is allocated for them, so a crafted header cannot exhaust memory.
public enum ImageLimits {
    public static let maximumPixels = 8192 * 8192

    /// `width × height`, or nil when either is not positive or the product exceeds `maximumPixels`.
    public static func pixelCount(width: Int, height: Int) -> Int? {
        guard width > 0, height > 0 else { return nil }
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        return overflow || count > maximumPixels ? nil : count
    }
}

/// Why pixels given to an image initializer do not make an image.
public struct ImageError: Error, Equatable, CustomStringConvertible {
    public let description: String
    package init(description: String) { self.description = description }
}

/// An 8-bit single-channel image, rows packed with no padding.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    /// An image from packed rows: `pixels.count` must be `width × height`, at most `ImageLimits.maximumPixels`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard let count = ImageLimits.pixelCount(width: width, height: height) else {
            throw ImageError(description: "expected a gray image of 1x1 to \(ImageLimits.maximumPixels) pixels, found \(width)x\(height)")
        }
        guard pixels.count == count else {
            throw ImageError(description: "expected \(count) bytes for a \(width)x\(height) gray image, found \(pixels.count)")
        }
        self.init(width: width, height: height, checkedPixels: pixels)
    }

    /// For callers inside the package that made `pixels` for exactly this size.
    package init(width: Int, height: Int, checkedPixels pixels: [UInt8]) {
        assert(width >= 0 && height >= 0 && pixels.count == width * height)
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

    /// An image from packed RGB rows: `pixels.count` must be `width × height × 3`, at most
    /// `ImageLimits.maximumPixels` pixels.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard let count = ImageLimits.pixelCount(width: width, height: height) else {
            throw ImageError(description: "expected an RGB image of 1x1 to \(ImageLimits.maximumPixels) pixels, found \(width)x\(height)")
        }
        guard pixels.count == count * 3 else {
            throw ImageError(description: "expected \(count * 3) bytes for a \(width)x\(height) RGB image, found \(pixels.count)")
        }
        self.init(width: width, height: height, checkedPixels: pixels)
    }

    /// For callers inside the package that made `pixels` for exactly this size.
    package init(width: Int, height: Int, checkedPixels pixels: [UInt8]) {
        assert(width >= 0 && height >= 0 && pixels.count == width * height * 3)
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Luma as OpenCV's `cvtColor(RGB2GRAY)` computes it for 8-bit images (BT.601 weights in 14-bit fixed point).
    public func grayscale() -> GrayImage {
        var gray = [UInt8](repeating: 0, count: width * height)
        pixels.withUnsafeBufferPointer { rgb in
            for index in gray.indices {
                let red = Int(rgb[3 * index]), green = Int(rgb[3 * index + 1]), blue = Int(rgb[3 * index + 2])
                gray[index] = UInt8((red * 4899 + green * 9617 + blue * 1868 + 8192) >> 14)
            }
        }
        return GrayImage(width: width, height: height, checkedPixels: gray)
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
            ? GrayImage(width: height, height: width, checkedPixels: pixels)
            : GrayImage(width: width, height: height, checkedPixels: pixels)
    }
}

extension RGBImage {
    public func rotated(_ rotation: Rotation) -> RGBImage {
        guard rotation != .none else { return self }
        let pixels = rotation.apply(to: pixels, width: width, height: height, channels: 3)
        return rotation.swapsDimensions
            ? RGBImage(width: height, height: width, checkedPixels: pixels)
            : RGBImage(width: width, height: height, checkedPixels: pixels)
    }
}

extension ImageError: LocalizedError {
    public var errorDescription: String? { description }
}

extension RGBImage {
    /// The pixels of `region`, which must lie inside the image.
    public func cropped(_ region: FaceBox) -> RGBImage {
        precondition(region.x >= 0 && region.y >= 0 && region.width > 0 && region.height > 0
                     && region.x + region.width <= width && region.y + region.height <= height)
        var pixels = [UInt8](repeating: 0, count: region.width * region.height * 3)
        self.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                for row in 0..<region.height {
                    (target.baseAddress! + row * region.width * 3)
                        .update(from: source.baseAddress! + ((region.y + row) * width + region.x) * 3, count: region.width * 3)
                }
            }
        }
        return RGBImage(width: region.width, height: region.height, checkedPixels: pixels)
    }
}

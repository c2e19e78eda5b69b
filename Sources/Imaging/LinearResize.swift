/// Bilinear resize of an 8-bit gray image with the arithmetic of OpenCV 4.x `cv::resize(…, INTER_LINEAR)`,
/// which the reference pipelines use to make model inputs:
///
/// - source coordinate `(d + 0.5) * (sourceSize / targetSize) - 0.5` in float, clamped to the edge;
/// - weights quantised to 11 fractional bits (`round((1 - f) * 2048)`, `round(f * 2048)`);
/// - a horizontal pass into 32-bit sums, then a vertical pass computed as OpenCV's vector kernel does it:
///   `((((r0 >> 4) * b0) >> 16) + (((r1 >> 4) * b1) >> 16) + 2) >> 2`;
/// - an exact 2× reduction in both directions is OpenCV's area average instead, `(a + b + c + d + 2) >> 2`.
public func resizeLinear(_ image: GrayImage, width targetWidth: Int, height targetHeight: Int) -> GrayImage {
    precondition(targetWidth > 0 && targetHeight > 0 && image.width > 0 && image.height > 0)
    if image.width == targetWidth && image.height == targetHeight { return image }
    if image.width == targetWidth * 2 && image.height == targetHeight * 2 {
        return halve(image)
    }
    let columns = LinearTaps(source: image.width, target: targetWidth, clampCoordinate: true)
    let rows = LinearTaps(source: image.height, target: targetHeight, clampCoordinate: false)
    var output = [UInt8](repeating: 0, count: targetWidth * targetHeight)
    // Pixels of at most 255 and weights of about 2048 in all keep every sum far below Int32's limit, so the
    // arithmetic wraps without ever overflowing.
    image.pixels.withUnsafeBufferPointer { source in
        columns.taps.withUnsafeBufferPointer { columnTaps in
            output.withUnsafeMutableBufferPointer { target in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * targetWidth) { scratch in
                    let upper = scratch.baseAddress!, lower = upper + targetWidth
                    func horizontal(row: Int, into buffer: UnsafeMutablePointer<Int32>) {
                        let line = source.baseAddress! + row * image.width
                        for x in 0..<targetWidth {
                            let tap = columnTaps[x]
                            let right = min(tap.index + 1, image.width - 1)
                            buffer[x] = Int32(line[tap.index]) &* tap.weight0 &+ Int32(line[right]) &* tap.weight1
                        }
                    }
                    for y in 0..<targetHeight {
                        let tap = rows.taps[y]
                        horizontal(row: min(max(tap.index, 0), image.height - 1), into: upper)
                        horizontal(row: min(max(tap.index + 1, 0), image.height - 1), into: lower)
                        let line = target.baseAddress! + y * targetWidth
                        for x in 0..<targetWidth {
                            let value = (((upper[x] >> 4) &* tap.weight0) >> 16 &+ ((lower[x] >> 4) &* tap.weight1) >> 16 &+ 2) >> 2
                            line[x] = UInt8(clamping: value)
                        }
                    }
                }
            }
        }
    }
    return GrayImage(width: targetWidth, height: targetHeight, checkedPixels: output)
}

/// OpenCV's INTER_AREA fast path for an exact halving, which `INTER_LINEAR` switches to.
private func halve(_ image: GrayImage) -> GrayImage {
    let width = image.width / 2, height = image.height / 2
    var output = [UInt8](repeating: 0, count: width * height)
    for y in 0..<height {
        for x in 0..<width {
            let a = Int(image[2 * x, 2 * y]), b = Int(image[2 * x + 1, 2 * y])
            let c = Int(image[2 * x, 2 * y + 1]), d = Int(image[2 * x + 1, 2 * y + 1])
            output[y * width + x] = UInt8((a + b + c + d + 2) >> 2)
        }
    }
    return GrayImage(width: width, height: height, checkedPixels: output)
}

/// Source index and fixed-point weights for each target position along one axis.
private struct LinearTaps {
    struct Tap {
        var index: Int
        var weight0: Int32, weight1: Int32
    }

    var taps: [Tap] = []

    init(source: Int, target: Int, clampCoordinate: Bool) {
        let scale = 1 / (Double(target) / Double(source))
        for d in 0..<target {
            var f = Float((Double(d) + 0.5) * scale - 0.5)
            var s = Int(f.rounded(.down))
            f -= Float(s)
            // Columns clamp the coordinate itself; rows keep the weight and clamp the row they read.
            if clampCoordinate {
                if s < 0 { f = 0; s = 0 }
                if s >= source - 1 { f = 0; s = source - 1 }
            }
            taps.append(Tap(index: s, weight0: Int32(((1 - f) * 2048).rounded(.toNearestOrEven)),
                            weight1: Int32((f * 2048).rounded(.toNearestOrEven))))
        }
    }
}

/// Bilinear resize with OpenCV's bit-exact `INTER_LINEAR_EXACT` arithmetic: source coordinate
/// `(d + 0.5) * scale - 0.5` in double (`scale = 1 / (target / source)`), weights with 8 fractional bits
/// (`w1 = round(f * 256)`, `w0 = 256 - w1`), neighbours clamped to the edge, and
/// `(Σ pixel · wx · wy + 2^15) >> 16`.
public func resizeLinearExact(_ image: GrayImage, width targetWidth: Int, height targetHeight: Int) -> GrayImage {
    LinearExactResizer(sourceWidth: image.width, sourceHeight: image.height, width: targetWidth, height: targetHeight).resize(image)
}

/// `resizeLinearExact` for one pair of sizes, its taps computed once: the detector's pyramid reuses one
/// per level for every frame.
public struct LinearExactResizer: Sendable {
    public let sourceWidth: Int, sourceHeight: Int
    public let width: Int, height: Int
    private let columns: ExactTaps
    private let rows: ExactTaps

    public init(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) {
        precondition(width > 0 && height > 0 && sourceWidth > 0 && sourceHeight > 0)
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.width = width
        self.height = height
        columns = ExactTaps(source: sourceWidth, target: width)
        rows = ExactTaps(source: sourceHeight, target: height)
    }

    public func resize(_ image: GrayImage) -> GrayImage {
        precondition(image.width == sourceWidth && image.height == sourceHeight)
        if sourceWidth == width && sourceHeight == height { return image }
        var output = [UInt8](repeating: 0, count: width * height)
        output.withUnsafeMutableBufferPointer { target in
            resize(image, rows: 0..<height, columns: 0..<width, into: target.baseAddress!, stride: width)
        }
        return GrayImage(width: width, height: height, checkedPixels: output)
    }

    /// Only the given rows and columns of the resized image, written at `target[row * stride + column]`:
    /// each output pixel depends on its own taps alone, so a part equals that part of the whole.
    public func resize(_ image: GrayImage, rows rowRange: Range<Int>, columns columnRange: Range<Int>,
                       into target: UnsafeMutablePointer<UInt8>, stride: Int) {
        precondition(image.width == sourceWidth && image.height == sourceHeight)
        precondition(rowRange.lowerBound >= 0 && rowRange.upperBound <= height
            && columnRange.lowerBound >= 0 && columnRange.upperBound <= width && columnRange.upperBound <= stride)
        guard !rowRange.isEmpty && !columnRange.isEmpty else { return }
        let rows = self.rows, columns = self.columns, sourceWidth = self.sourceWidth
        image.pixels.withUnsafeBufferPointer { source in
            columns.taps.withUnsafeBufferPointer { taps in
                // The taps move right with the output column, so these bound the source columns the part reads.
                let firstColumn = Int(taps[columnRange.lowerBound].first), lastColumn = Int(taps[columnRange.upperBound - 1].second)
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: sourceWidth) { scratch in
                    let blended = scratch.baseAddress!
                    for y in rowRange {
                        // The two source rows blended first, along whole rows (a loop that vectorises), then the
                        // columns: OpenCV's exact linear resize blends columns first, but every product and sum
                        // before the final rounding is exact in Int32 (at most 255 · 256 · 256), so the order
                        // cannot change the result, and this one gathers half as many source pixels.
                        let rowTap = rows.taps[y]
                        let top = source.baseAddress! + Int(rowTap.first) * sourceWidth
                        let bottom = source.baseAddress! + Int(rowTap.second) * sourceWidth
                        let b0 = rowTap.weight0, b1 = rowTap.weight1
                        for column in firstColumn...lastColumn {
                            blended[column] = Int32(top[column]) &* b0 &+ Int32(bottom[column]) &* b1
                        }
                        let row = target + y * stride
                        for x in columnRange {
                            let tap = taps[x]
                            let total = blended[Int(tap.first)] &* tap.weight0 &+ blended[Int(tap.second)] &* tap.weight1
                            row[x] = UInt8(truncatingIfNeeded: (total &+ (1 << 15)) >> 16)
                        }
                    }
                }
            }
        }
    }
}

/// Clamped neighbour indices and 8-bit fixed-point weights along one axis, for `resizeLinearExact`.
private struct ExactTaps: Sendable {
    struct Tap: Sendable {
        var first: Int32, second: Int32
        var weight0: Int32, weight1: Int32
    }

    var taps: [Tap] = []

    init(source: Int, target: Int) {
        let scale = 1.0 / (Double(target) / Double(source))
        for d in 0..<target {
            let coordinate = scale * (Double(d) + 0.5) - 0.5
            let s = Int(coordinate.rounded(.down))
            let w1 = Int32(((coordinate - Double(s)) * 256).rounded(.toNearestOrEven))
            taps.append(Tap(first: Int32(min(max(s, 0), source - 1)), second: Int32(min(max(s + 1, 0), source - 1)),
                            weight0: 256 - w1, weight1: w1))
        }
    }
}

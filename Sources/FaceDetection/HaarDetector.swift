import Imaging

/// The multi-scale scan of OpenCV 4.x `CascadeClassifier::detectMultiScale` for Haar cascades, in Swift.
///
/// One detector owns its working buffers (pyramid level, integral images, feature offsets) and reuses
/// them for every frame; it is not for sharing between threads — make one per thread from a shared
/// `HaarCascade`.
public final class HaarDetector {
    public struct Parameters: Sendable, Equatable {
        public var scaleFactor: Double
        public var minNeighbors: Int
        /// Smallest face, in pixels (width and height).
        public var minSize: Int
        /// Largest face, in pixels; 0 means the image size.
        public var maxSize: Int

        public init(scaleFactor: Double = 1.1, minNeighbors: Int = 5, minSize: Int = 30, maxSize: Int = 0) {
            self.scaleFactor = scaleFactor
            self.minNeighbors = minNeighbors
            self.minSize = minSize
            self.maxSize = maxSize
        }
    }

    public let cascade: HaarCascade

    private(set) var sum: [Int32] = []
    private(set) var squares: [Int32] = []
    private(set) var stride = 0
    private var program: CompiledCascade?
    /// Pyramid resizers by level size, for the frame size last seen (video frames keep their size).
    private var resizers: [Int: LinearExactResizer] = [:]

    public init(cascade: HaarCascade) {
        self.cascade = cascade
    }

    /// Faces in `image`, as OpenCV returns them (grouped, clipped to the image), sorted largest first.
    ///
    /// With a `searchArea`, only windows lying inside it are evaluated (same pyramid, same window grid):
    /// faces found inside it are normally the ones a full scan finds there, but OpenCV skips the window
    /// after a first-stage rejection, so a row started mid-frame can fall out of step with the full scan.
    public func detect(_ image: GrayImage, parameters: Parameters = Parameters(), searchArea: FaceBox? = nil) -> [FaceBox] {
        let candidates = self.candidates(image, parameters: parameters, searchArea: searchArea)
        return groupRectangles(candidates, threshold: parameters.minNeighbors, eps: 0.2)
            .compactMap { $0.clipped(width: image.width, height: image.height) }
            .sortedByArea()
    }

    /// Every window the cascade accepts, over all scales, before grouping.
    public func candidates(_ image: GrayImage, parameters: Parameters, searchArea: FaceBox? = nil) -> [FaceBox] {
        precondition(parameters.scaleFactor > 1, "scale factor must exceed 1")
        let scales = Self.scales(imageWidth: image.width, imageHeight: image.height, window: (cascade.windowWidth, cascade.windowHeight),
                                 parameters: parameters)
        guard let first = scales.first else { return [] }
        // One stride for every level (the largest level's width + 1), so feature offsets are computed once.
        let firstLevelWidth = Int((Float(image.width) / first).rounded(.toNearestOrEven))
        prepare(stride: firstLevelWidth + 1, rows: Int((Float(image.height) / first).rounded(.toNearestOrEven)) + 1)
        let program = self.program!

        // OpenCV splits the rows of every level into the same number of stripes (from the first level's
        // width) and scans stripe by stripe; a level whose rows do not fill the stripes loses its last row.
        let firstWorkingWidth = max(firstLevelWidth + 1 - cascade.windowWidth, 0)
        let stripes = Int((Double(firstWorkingWidth) / 32).rounded(.up))
        var found: [FaceBox] = []
        for scale in scales {
            let levelWidth = Int((Float(image.width) / scale).rounded(.toNearestOrEven))
            let levelHeight = Int((Float(image.height) / scale).rounded(.toNearestOrEven))
            // OpenCV 4 builds the pyramid with INTER_LINEAR_EXACT.
            let level = resizer(from: image, width: levelWidth, height: levelHeight).resize(image)
            buildIntegrals(level)
            let step = scale >= 2 ? 1 : 2
            let workingWidth = max(levelWidth + 1 - cascade.windowWidth, 0)
            let workingHeight = max(levelHeight + 1 - cascade.windowHeight, 0)
            let stripeHeight = max((workingHeight / step + stripes - 1) / max(stripes, 1), 1) * step
            let windowWidth = Int((Float(cascade.windowWidth) * scale).rounded(.toNearestOrEven))
            let windowHeight = Int((Float(cascade.windowHeight) * scale).rounded(.toNearestOrEven))
            // The search area in level coordinates, snapped onto the scan grid (multiples of `step` from 0).
            var firstColumn = 0, lastColumn = workingWidth, firstRow = 0, lastRow = workingHeight
            if let area = searchArea {
                func gridStart(_ value: Double) -> Int { max(0, Int((value / Double(step)).rounded(.up)) * step) }
                firstColumn = gridStart(Double(area.x) / Double(scale))
                firstRow = gridStart(Double(area.y) / Double(scale))
                // Rounded outwards, so that an area covering the image scans exactly what a full scan does.
                lastColumn = min(workingWidth, Int((Double(area.x + area.width) / Double(scale)).rounded(.up)) - cascade.windowWidth + 1)
                lastRow = min(workingHeight, Int((Double(area.y + area.height) / Double(scale)).rounded(.up)) - cascade.windowHeight + 1)
                if firstColumn >= lastColumn || firstRow >= lastRow { continue }
            }
            sum.withUnsafeBufferPointer { sumBuffer in
                squares.withUnsafeBufferPointer { squareBuffer in
                    for stripe in 0..<stripes {
                        var y = max(stripe * stripeHeight, firstRow)
                        let yEnd = min((stripe + 1) * stripeHeight, workingHeight, lastRow)
                        while y < yEnd {
                            var x = firstColumn
                            while x < lastColumn {
                                // The window must lie inside the level (OpenCV's setWindow check).
                                let offset = y * stride + x
                                let result = x + cascade.windowWidth < levelWidth + 1 && y + cascade.windowHeight < levelHeight + 1
                                    ? program.evaluate(sum: sumBuffer.baseAddress! + offset, squares: squareBuffer.baseAddress! + offset)
                                    : -1
                                if result > 0 {
                                    found.append(FaceBox(x: Int((Float(x) * scale).rounded(.toNearestOrEven)),
                                                         y: Int((Float(y) * scale).rounded(.toNearestOrEven)),
                                                         width: windowWidth, height: windowHeight))
                                }
                                // A window rejected by the first stage lets the scan skip the next position.
                                x += result == 0 ? 2 * step : step
                            }
                            y += step
                        }
                    }
                }
            }
        }
        return found
    }

    /// OpenCV's scale list: factor (Double) from 1, times scaleFactor, stored as Float; stop once the window
    /// exceeds the image or maxSize, skip below minSize.
    static func scales(imageWidth: Int, imageHeight: Int, window: (Int, Int), parameters: Parameters) -> [Float] {
        let maxWidth = parameters.maxSize > 0 ? parameters.maxSize : imageWidth
        let maxHeight = parameters.maxSize > 0 ? parameters.maxSize : imageHeight
        var scales: [Float] = []
        var factor = 1.0
        while true {
            let width = Int((Double(window.0) * factor).rounded(.toNearestOrEven))
            let height = Int((Double(window.1) * factor).rounded(.toNearestOrEven))
            if width > maxWidth || height > maxHeight || width > imageWidth || height > imageHeight { break }
            if width >= parameters.minSize && height >= parameters.minSize {
                scales.append(Float(factor))
            }
            factor *= parameters.scaleFactor
        }
        return scales
    }

    private func resizer(from image: GrayImage, width: Int, height: Int) -> LinearExactResizer {
        let key = width << 32 | height
        if let cached = resizers[key], cached.sourceWidth == image.width, cached.sourceHeight == image.height { return cached }
        if let any = resizers.values.first, any.sourceWidth != image.width || any.sourceHeight != image.height {
            resizers.removeAll()
        }
        let made = LinearExactResizer(sourceWidth: image.width, sourceHeight: image.height, width: width, height: height)
        resizers[key] = made
        return made
    }

    func prepare(stride newStride: Int, rows: Int) {
        if sum.count < newStride * rows {
            sum = [Int32](repeating: 0, count: newStride * rows)
            squares = [Int32](repeating: 0, count: newStride * rows)
        }
        if newStride != stride || program == nil {
            stride = newStride
            program = CompiledCascade(cascade: cascade, stride: newStride)
        }
    }

    /// Integral and squared integral images of `level` with a zero first row and column. The squared sums
    /// are 32-bit and wrap, as OpenCV's CV_32S buffers do; window sums taken from them are still exact.
    func buildIntegrals(_ level: GrayImage) {
        let width = level.width, height = level.height
        level.pixels.withUnsafeBufferPointer { pixels in
            sum.withUnsafeMutableBufferPointer { sumBuffer in
                squares.withUnsafeMutableBufferPointer { squareBuffer in
                    let s = sumBuffer.baseAddress!, q = squareBuffer.baseAddress!
                    for x in 0...width {
                        s[x] = 0
                        q[x] = 0
                    }
                    for y in 0..<height {
                        let row = (y + 1) * stride, above = y * stride
                        s[row] = 0
                        q[row] = 0
                        var rowSum: Int32 = 0, rowSquares: Int32 = 0
                        for x in 0..<width {
                            let value = Int32(pixels[y * width + x])
                            rowSum &+= value
                            rowSquares &+= value &* value
                            s[row + x + 1] = s[above + x + 1] &+ rowSum
                            q[row + x + 1] = q[above + x + 1] &+ rowSquares
                        }
                    }
                }
            }
        }
    }
}

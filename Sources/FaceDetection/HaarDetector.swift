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

        /// Scale steps below 1.01 would scan thousands of pyramid levels (1.0000001: millions) and steps
        /// above 10 skip all but the smallest size; sizes beyond 65536 pixels exceed any accepted image.
        public static let scaleFactorRange = 1.01...10.0
        public static let sizeRange = 0...65536
        public static let neighborsRange = 0...10000

        /// Throws when a value is outside the ranges above, saying which and what was found.
        public func validate() throws {
            guard Self.scaleFactorRange.contains(scaleFactor) else {
                throw DetectorParameterError("scale factor expects \(Self.scaleFactorRange.lowerBound) to \(Self.scaleFactorRange.upperBound), found \(scaleFactor)")
            }
            guard Self.neighborsRange.contains(minNeighbors) else {
                throw DetectorParameterError("min neighbors expects 0 to \(Self.neighborsRange.upperBound), found \(minNeighbors)")
            }
            guard Self.sizeRange.contains(minSize), Self.sizeRange.contains(maxSize) else {
                throw DetectorParameterError("min and max size expect 0 to \(Self.sizeRange.upperBound) pixels, found \(minSize) and \(maxSize)")
            }
        }
    }

    public let cascade: HaarCascade

    private(set) var sum: [Int32] = []
    private(set) var squares: [Int32] = []
    private(set) var stride = 0
    /// The pyramid level being scanned, at the integral images' stride.
    private var level: [UInt8] = []
    private var program: CompiledCascade?
    /// Pyramid resizers by level size, for the frame size last seen (video frames keep their size).
    private var resizers: [Int: LinearExactResizer] = [:]

    public init(cascade: HaarCascade) {
        self.cascade = cascade
    }

    /// Faces in `image`, as OpenCV returns them (grouped, clipped to the image), sorted largest first.
    ///
    /// With `centres`, only windows whose centre lies in that rectangle are evaluated (same pyramid, same
    /// window grid): faces found there are normally the ones a full scan finds, but OpenCV skips the window
    /// after a first-stage rejection, so a row started mid-frame can fall out of step with the full scan.
    ///
    /// With `sizeFloor`, the window sizes are scanned from the largest down, and the scan stops at sizes
    /// below `sizeFloor` times the largest face found so far: smaller faces are not looked for, and the
    /// largest faces normally come out as a full scan finds them (the same candidate windows), unless
    /// OpenCV's grouping would have joined windows below the floor into them.
    public func detect(_ image: GrayImage, parameters: Parameters = Parameters(), centres: FaceBox? = nil,
                       sizeFloor: Double? = nil) -> [FaceBox] {
        let candidates = self.candidates(image, parameters: parameters, centres: centres, sizeFloor: sizeFloor)
        return Self.group(candidates, parameters: parameters, imageWidth: image.width, imageHeight: image.height)
    }

    static func group(_ candidates: [FaceBox], parameters: Parameters, imageWidth: Int, imageHeight: Int) -> [FaceBox] {
        groupRectangles(candidates, threshold: parameters.minNeighbors, eps: 0.2)
            .compactMap { $0.clipped(width: imageWidth, height: imageHeight) }
            .sortedByArea()
    }

    /// Every window the cascade accepts, over all scales, before grouping.
    public func candidates(_ image: GrayImage, parameters: Parameters, centres: FaceBox? = nil, sizeFloor: Double? = nil) -> [FaceBox] {
        guard let scan = PyramidScan(detector: self, image: image, parameters: parameters) else { return [] }
        var found: [FaceBox] = []
        var groupedCount = 0, largestWidth = 0
        for scale in sizeFloor == nil ? scan.scales : scan.scales.reversed() {
            if let sizeFloor {
                if found.count > groupedCount {
                    groupedCount = found.count
                    largestWidth = Self.group(found, parameters: parameters, imageWidth: image.width, imageHeight: image.height)
                        .map(\.width).max() ?? 0
                }
                if Double(scan.window(at: scale).width) < sizeFloor * Double(largestWidth) { break }
            }
            scanLevel(scan, scale: scale, centres: centres, grid: .full) { found.append($0) }
        }
        return found
    }

    /// The default mode's frame-wide detection: normally the faces `detect(_:parameters:sizeFloor:)` finds, for the
    /// cost of a quarter of the windows on frames without a face.
    ///
    /// A screen visits every other row and column of OpenCV's window grid (a quarter of the windows), largest sizes
    /// first. Around each window the cascade accepts there, a search of the full grid (`ScreenNeighbourhood`: the
    /// sizes and centres of the windows OpenCV's grouping puts in a face with it) gathers the face's windows; the first
    /// such search that finds a face, with the frame-wide scan's size floor, gives the result. A face whose windows all
    /// miss the screen's grid is not found: on every other frame of the sample videos none is missed and the largest
    /// face is the scan's on every frame (`ScreenTests`).
    public func detectScreened(_ image: GrayImage, parameters: Parameters = Parameters(), sizeFloor: Double) -> [FaceBox] {
        guard let scan = PyramidScan(detector: self, image: image, parameters: parameters) else { return [] }
        var searched: [ScreenNeighbourhood] = []
        for scale in scan.scales.reversed() {
            var accepted: [FaceBox] = []
            scanLevel(scan, scale: scale, centres: nil, grid: .screen) { accepted.append($0) }
            // Searching overwrites the level's buffers, so it waits until the screen is done with the level.
            for window in accepted where !searched.contains(where: { $0.reaches(window) }) {
                let neighbourhood = ScreenNeighbourhood(around: window, parameters: parameters)
                searched.append(neighbourhood)
                // With the frame-wide scan's size floor, applied to the neighbourhood's levels as it would be to the frame's.
                let faces = detect(image, parameters: neighbourhood.area.parameters, centres: neighbourhood.area.centres, sizeFloor: sizeFloor)
                if !faces.isEmpty { return faces }
            }
        }
        return []
    }

    /// Which windows of a level are evaluated.
    enum LevelGrid {
        /// OpenCV's: every row and column at step 1 (levels at scale 2 and above), every other one below.
        case full
        /// `detectScreened`'s: every other row and every other column of the full grid.
        case screen
    }

    /// Evaluates the windows of one pyramid level on `grid`, those whose centre lies in `centres` if given, and
    /// calls `accept` with each accepted window in image coordinates.
    private func scanLevel(_ scan: PyramidScan, scale: Float, centres: FaceBox?, grid: LevelGrid, accept: (FaceBox) -> Void) {
        let window = scan.window(at: scale)
        let levelWidth = Int((Float(scan.image.width) / scale).rounded(.toNearestOrEven))
        let levelHeight = Int((Float(scan.image.height) / scale).rounded(.toNearestOrEven))
        let step = scale >= 2 ? 1 : 2
        let gridStep = grid == .full ? step : 2 * step
        let workingWidth = max(levelWidth + 1 - cascade.windowWidth, 0)
        let workingHeight = max(levelHeight + 1 - cascade.windowHeight, 0)
        let stripes = scan.stripes
        let stripeHeight = max((workingHeight / step + stripes - 1) / max(stripes, 1), 1) * step
        // The grid positions whose window centre lies in `centres`, snapped onto the scan grid (multiples of `step`).
        var firstColumn = 0, lastColumn = workingWidth, firstRow = 0, lastRow = workingHeight
        if let area = centres {
            func first(_ low: Int, _ size: Int) -> Int {
                let position = (Double(low) - Double(size) / 2) / Double(scale)
                return max(0, Int((position / Double(step)).rounded(.up)) * step)
            }
            func end(_ high: Int, _ size: Int, _ working: Int) -> Int {
                min(working, Int(((Double(high) - Double(size) / 2) / Double(scale)).rounded(.down)) + 1)
            }
            firstColumn = first(area.x, window.width)
            firstRow = first(area.y, window.height)
            lastColumn = end(area.x + area.width, window.width, workingWidth)
            lastRow = end(area.y + area.height, window.height, workingHeight)
        }
        if firstColumn >= lastColumn || firstRow >= lastRow { return }
        // Only the part of the level under the windows to scan: a window's sums are the same from the
        // part's integral as from the whole level's.
        let pixelRows = firstRow..<(lastRow - 1 + cascade.windowHeight)
        let pixelColumns = firstColumn..<(lastColumn - 1 + cascade.windowWidth)
        // OpenCV 4 builds the pyramid with INTER_LINEAR_EXACT.
        let stride = self.stride
        let resizer = self.resizer(from: scan.image, width: levelWidth, height: levelHeight)
        level.withUnsafeMutableBufferPointer { pixels in
            resizer.resize(scan.image, rows: pixelRows, columns: pixelColumns, into: pixels.baseAddress!, stride: stride)
        }
        buildIntegrals(rows: pixelRows, columns: pixelColumns)
        let program = self.program!
        sum.withUnsafeBufferPointer { sumBuffer in
            squares.withUnsafeBufferPointer { squareBuffer in
                func scanRow(_ y: Int) {
                    let offset = y * stride
                    program.scanRow(sum: sumBuffer.baseAddress! + offset, squares: squareBuffer.baseAddress! + offset,
                                    first: firstColumn, end: lastColumn, step: gridStep) { x in
                        accept(FaceBox(x: Int((Float(x) * scale).rounded(.toNearestOrEven)), y: Int((Float(y) * scale).rounded(.toNearestOrEven)),
                                       width: window.width, height: window.height))
                    }
                }
                guard grid == .full else {
                    for y in Swift.stride(from: firstRow, to: lastRow, by: gridStep) { scanRow(y) }
                    return
                }
                // OpenCV splits the rows of every level into the same number of stripes (from the first level's
                // width) and scans stripe by stripe; a level whose rows do not fill the stripes loses its last row.
                for stripe in 0..<stripes {
                    var y = max(stripe * stripeHeight, firstRow)
                    let yEnd = min((stripe + 1) * stripeHeight, workingHeight, lastRow)
                    while y < yEnd {
                        scanRow(y)
                        y += step
                    }
                }
            }
        }
    }

    /// OpenCV's scale list: factor (Double) from 1, times scaleFactor, stored as Float; stop once the window
    /// exceeds the image or maxSize, skip below minSize.
    /// More levels than a 65536-pixel image has at the smallest scale step; a bound, never reached in practice.
    static let maximumLevels = 1200

    static func scales(imageWidth: Int, imageHeight: Int, window: (Int, Int), parameters: Parameters) -> [Float] {
        let maxWidth = parameters.maxSize > 0 ? parameters.maxSize : imageWidth
        let maxHeight = parameters.maxSize > 0 ? parameters.maxSize : imageHeight
        var scales: [Float] = []
        var factor = 1.0
        while scales.count < maximumLevels {
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
        let count = newStride * rows + CompiledCascade.overread
        if sum.count < count {
            sum = [Int32](repeating: 0, count: count)
            squares = [Int32](repeating: 0, count: count)
            level = [UInt8](repeating: 0, count: count)
        }
        if newStride != stride || program == nil {
            stride = newStride
            program = CompiledCascade(cascade: cascade, stride: newStride)
        }
    }

    /// Integral and squared integral images of the level's pixels in `rows` × `columns` (in `level`, at
    /// the detector's stride), stored where the whole level's would be, with a zero row above and column
    /// left of the part. The squared sums are 32-bit and wrap, as OpenCV's CV_32S buffers do; window sums
    /// taken from them are still exact.
    func buildIntegrals(rows: Range<Int>, columns: Range<Int>) {
        let stride = self.stride
        level.withUnsafeBufferPointer { pixels in
            sum.withUnsafeMutableBufferPointer { sumBuffer in
                squares.withUnsafeMutableBufferPointer { squareBuffer in
                    let s = sumBuffer.baseAddress!, q = squareBuffer.baseAddress!, p = pixels.baseAddress!
                    let left = columns.lowerBound
                    for x in left...columns.upperBound {
                        s[rows.lowerBound * stride + x] = 0
                        q[rows.lowerBound * stride + x] = 0
                    }
                    // The running sums along the row first (one chain of additions), then the row above added eight
                    // columns at a time: the same wrapping Int32 sums as one pass, in less time.
                    let end = columns.upperBound + 1
                    for y in rows {
                        let row = (y + 1) * stride, above = y * stride
                        s[row + left] = 0
                        q[row + left] = 0
                        var rowSum: Int32 = 0, rowSquares: Int32 = 0
                        let pixels = p + y * stride + left, sums = s + row + left + 1, squares = q + row + left + 1
                        for i in 0..<columns.count {
                            let value = Int32(pixels[i])
                            rowSum &+= value
                            rowSquares &+= value &* value
                            sums[i] = rowSum
                            squares[i] = rowSquares
                        }
                        var x = left + 1
                        while x + 8 <= end {
                            let sums = UnsafeRawPointer(s + row + x).loadUnaligned(as: SIMD8<Int32>.self)
                                &+ UnsafeRawPointer(s + above + x).loadUnaligned(as: SIMD8<Int32>.self)
                            let squares = UnsafeRawPointer(q + row + x).loadUnaligned(as: SIMD8<Int32>.self)
                                &+ UnsafeRawPointer(q + above + x).loadUnaligned(as: SIMD8<Int32>.self)
                            UnsafeMutableRawPointer(s + row + x).storeBytes(of: sums, as: SIMD8<Int32>.self)
                            UnsafeMutableRawPointer(q + row + x).storeBytes(of: squares, as: SIMD8<Int32>.self)
                            x += 8
                        }
                        while x < end {
                            s[row + x] &+= s[above + x]
                            q[row + x] &+= q[above + x]
                            x += 1
                        }
                    }
                }
            }
        }
    }

    /// `buildIntegrals` of a whole image, for tests.
    func buildIntegrals(_ image: GrayImage) {
        for y in 0..<image.height {
            for x in 0..<image.width { level[y * stride + x] = image.pixels[y * image.width + x] }
        }
        buildIntegrals(rows: 0..<image.height, columns: 0..<image.width)
    }
}

/// What every level of one scan shares: the image, its scales (OpenCV's list) and stripe count, with the detector's
/// buffers prepared for the image's size.
struct PyramidScan {
    let image: GrayImage
    let scales: [Float]
    let windowWidth: Int
    let windowHeight: Int
    /// OpenCV splits the rows of every level into this many stripes, from the first level's width.
    let stripes: Int

    /// Nil when the parameters are invalid (`Parameters.validate` says why; a scan then finds nothing rather than
    /// trap or run for hours) or no window size fits the image.
    init?(detector: HaarDetector, image: GrayImage, parameters: HaarDetector.Parameters) {
        guard (try? parameters.validate()) != nil else { return nil }
        let cascade = detector.cascade
        scales = HaarDetector.scales(imageWidth: image.width, imageHeight: image.height, window: (cascade.windowWidth, cascade.windowHeight),
                                     parameters: parameters)
        guard let first = scales.first else { return nil }
        self.image = image
        windowWidth = cascade.windowWidth
        windowHeight = cascade.windowHeight
        // One stride for every level and every scan of this image size (that of a level at scale 1), so the
        // feature offsets are computed once, whatever sizes a scan is limited to.
        detector.prepare(stride: image.width + 1, rows: image.height + 1)
        let firstLevelWidth = Int((Float(image.width) / first).rounded(.toNearestOrEven))
        let firstWorkingWidth = max(firstLevelWidth + 1 - cascade.windowWidth, 0)
        stripes = Int((Double(firstWorkingWidth) / 32).rounded(.up))
    }

    /// The detection window's size in the image at `scale`.
    func window(at scale: Float) -> (width: Int, height: Int) {
        (Int((Float(windowWidth) * scale).rounded(.toNearestOrEven)), Int((Float(windowHeight) * scale).rounded(.toNearestOrEven)))
    }
}

/// The windows around a box: sizes from `smallest` to `largest` times its size, centres within `centreReach` of its
/// size from its centre, on the pyramid levels and window grid of a full detection (`HaarDetector.detect(_:parameters:
/// centres:)` with `parameters` and `centres`). The default mode's tracking searches one around the last face, and
/// `detectScreened` one around each window its screen accepts.
public struct WindowNeighbourhood: Sendable {
    public let parameters: HaarDetector.Parameters
    /// Where window centres may lie.
    public let centres: FaceBox

    public init(around box: FaceBox, parameters: HaarDetector.Parameters, smallest: Double, largest: Double, centreReach: Double) {
        let size = Double(max(box.width, box.height))
        let reach = Int((size * centreReach).rounded(.up))
        centres = FaceBox(x: box.x + box.width / 2 - reach, y: box.y + box.height / 2 - reach, width: 2 * reach + 1, height: 2 * reach + 1)
        var nearby = parameters
        nearby.minSize = max(parameters.minSize, Int((size * smallest).rounded(.down)))
        let largestSize = Int((size * largest).rounded(.up))
        nearby.maxSize = parameters.maxSize > 0 ? min(parameters.maxSize, largestSize) : largestSize
        self.parameters = nearby
    }
}

/// The neighbourhood of one window the screen accepts: where the other windows lie that OpenCV's grouping may put in
/// the same face. On the sample videos a face's candidate windows span 0.56–1.5 times its box's width, with centres
/// within about 0.16 of it from the box's centre (see `TrackingWindow` in FaceMood); so a window of width w in a
/// face's cluster belongs to a face of width 0.67–1.79 w, whose other windows are 0.37–2.7 w wide with centres within
/// 0.57 w of its centre.
struct ScreenNeighbourhood {
    let window: FaceBox
    let area: WindowNeighbourhood

    init(around window: FaceBox, parameters: HaarDetector.Parameters) {
        self.window = window
        area = WindowNeighbourhood(around: window, parameters: parameters, smallest: 0.37, largest: 2.7, centreReach: 0.6)
    }

    /// Whether `other` is so close to this neighbourhood's window (centre within a tenth of its width, width within
    /// a quarter) that its own neighbourhood is nearly the same: the screen's accepted windows come in such clumps.
    func reaches(_ other: FaceBox) -> Bool {
        let reach = Double(window.width) * 0.1
        return abs(Double(other.x * 2 + other.width - window.x * 2 - window.width)) <= 2 * reach
            && abs(Double(other.y * 2 + other.height - window.y * 2 - window.height)) <= 2 * reach
            && Double(other.width) >= 0.8 * Double(window.width) && Double(other.width) <= 1.25 * Double(window.width)
    }
}

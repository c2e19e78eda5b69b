import Foundation
import Testing
import Imaging
import VideoIO
@testable import FaceDetection

@Suite struct GroupingTests {
    @Test func similarRectanglesAverageAndNeedMoreThanThresholdMembers() {
        let cluster = [FaceBox(x: 10, y: 10, width: 40, height: 40), FaceBox(x: 12, y: 11, width: 40, height: 40),
                       FaceBox(x: 11, y: 13, width: 42, height: 42)]
        let loner = FaceBox(x: 200, y: 200, width: 40, height: 40)
        // Sums 33, 34, 122, 122 times 1/3 in Float: 11, 11.333 → 11, 40.667 → 41.
        #expect(groupRectangles(cluster + [loner], threshold: 2) == [FaceBox(x: 11, y: 11, width: 41, height: 41)])
        #expect(groupRectangles(cluster + [loner], threshold: 3).isEmpty)
        #expect(groupRectangles(cluster + [loner], threshold: 0).count == 4, "threshold 0 returns candidates unchanged")
    }

    @Test func averagingRoundsHalfToEven() {
        // x: (10 + 11) / 2 = 10.5 → 10 (even); y: (13 + 14) / 2 = 13.5 → 14 (even).
        let pair = [FaceBox(x: 10, y: 13, width: 40, height: 40), FaceBox(x: 11, y: 14, width: 40, height: 40)]
        #expect(groupRectangles(pair, threshold: 1) == [FaceBox(x: 10, y: 14, width: 40, height: 40)])
    }

    @Test func similarityIsTransitive() {
        // a~b and b~c but not a~c: still one class.
        // Edges may differ by 0.2 · (40 + 40) / 2 = 8 pixels.
        let chain = (0..<3).map { FaceBox(x: $0 * 8, y: 0, width: 40, height: 40) }
        #expect(similarityClasses(chain, eps: 0.2) == [0, 0, 0])
        #expect(similarityClasses(chain.map { FaceBox(x: $0.x * 2, y: 0, width: 40, height: 40) }, eps: 0.2) == [0, 1, 2])
    }

    @Test func pairsTakenByLeftEdgeGiveTheClassesOfEveryPair() {
        // Clusters of jittered windows of several sizes, as a detection's candidates come, plus scattered ones.
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<200 {
            var boxes: [FaceBox] = []
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                let size = Int.random(in: 20...300, using: &generator), x = Int.random(in: -50...600, using: &generator)
                let y = Int.random(in: -50...400, using: &generator), spread = max(size / 4, 1)
                for _ in 0..<Int.random(in: 1...60, using: &generator) {
                    let side = size + Int.random(in: -spread...spread, using: &generator)
                    boxes.append(FaceBox(x: x + Int.random(in: -spread...spread, using: &generator), y: y + Int.random(in: -spread...spread, using: &generator),
                                         width: side, height: side + Int.random(in: -2...2, using: &generator)))
                }
            }
            let eps = trial % 4 == 0 ? 0.5 : 0.2
            // OpenCV's rule, pair by pair.
            var everyPair = DisjointSets(count: boxes.count)
            for i in boxes.indices {
                for j in boxes.indices where j > i {
                    let a = boxes[i], b = boxes[j]
                    let delta = eps * Double(min(a.width, b.width) + min(a.height, b.height)) * 0.5
                    if Double(abs(a.x - b.x)) <= delta && Double(abs(a.y - b.y)) <= delta
                        && Double(abs(a.x + a.width - b.x - b.width)) <= delta && Double(abs(a.y + a.height - b.y - b.height)) <= delta {
                        everyPair.join(i, j)
                    }
                }
            }
            #expect(similarityClasses(boxes, eps: eps) == everyPair.labels(), "trial \(trial): \(boxes)")
        }
    }

    @Test func aSmallClassInsideAStrongerOneIsDropped() {
        let big = (0..<6).map { _ in FaceBox(x: 100, y: 100, width: 100, height: 100) }
        let inner = (0..<2).map { _ in FaceBox(x: 120, y: 120, width: 50, height: 50) }
        #expect(groupRectangles(big + inner, threshold: 1) == [FaceBox(x: 100, y: 100, width: 100, height: 100)])
    }

    @Test func iouAndClipping() {
        let a = FaceBox(x: 0, y: 0, width: 10, height: 10)
        #expect(a.intersectionOverUnion(a) == 1)
        #expect(a.intersectionOverUnion(FaceBox(x: 5, y: 0, width: 10, height: 10)) == 50.0 / 150.0)
        #expect(FaceBox(x: -5, y: 95, width: 20, height: 20).clipped(width: 100, height: 100) == FaceBox(x: 0, y: 95, width: 15, height: 5))
        #expect(FaceBox(x: 100, y: 0, width: 5, height: 5).clipped(width: 100, height: 100) == nil)
    }
}

@Suite struct ScanTests {
    @Test func scalesFollowOpenCVsLoop() {
        let parameters = HaarDetector.Parameters(scaleFactor: 1.1, minNeighbors: 5, minSize: 30)
        let scales = HaarDetector.scales(imageWidth: 640, imageHeight: 360, window: (24, 24), parameters: parameters)
        // 24·1.1^k: the first window of at least 30 pixels is 24·1.1^3 = 31.9; the last within 360 is
        // 24·1.1^28 = 346.9 (1.1^29 gives 381.6).
        #expect(scales.first == Float(1.1 * 1.1 * 1.1))
        #expect(scales.count == 28 - 3 + 1)
        let capped = HaarDetector.scales(imageWidth: 640, imageHeight: 360, window: (24, 24),
                                         parameters: .init(scaleFactor: 1.1, minNeighbors: 5, minSize: 30, maxSize: 100))
        #expect(capped.allSatisfy { (Float(24) * $0).rounded() <= 100 })
    }

    @Test func integralImagesHaveAZeroBorderAndWrapLikeInt32() throws {
        let detector = HaarDetector(cascade: try HaarCascade(path: "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"))
        // 2×3 image:  1 2 3
        //             4 5 6
        detector.prepare(stride: 4, rows: 3)
        detector.buildIntegrals(try GrayImage(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6]))
        #expect(Array(detector.sum.prefix(12)) == [0, 0, 0, 0, 0, 1, 3, 6, 0, 5, 12, 21])
        #expect(Array(detector.squares.prefix(12)) == [0, 0, 0, 0, 0, 1, 5, 14, 0, 17, 46, 91])
        // 255² over 200×200 pixels exceeds Int32: the squared integral wraps, as OpenCV's CV_32S buffer does.
        let bright = try GrayImage(width: 200, height: 200, pixels: [UInt8](repeating: 255, count: 40_000))
        detector.prepare(stride: 201, rows: 201)
        detector.buildIntegrals(bright)
        let total = Int64(255 * 255) * 40_000
        #expect(detector.squares[200 * 201 + 200] == Int32(truncatingIfNeeded: total))
    }

    @Test func exactResizeMatchesOpenCVsRule() throws {
        // 4 → 2 pixels: coordinates 0.5 and 2.5, weights 128/128: (0+10+1)/2 → 5, (20+30)/2 → 25.
        let row = try GrayImage(width: 4, height: 1, pixels: [0, 10, 20, 30])
        #expect(resizeLinearExact(row, width: 2, height: 1).pixels == [5, 25])
        // Enlarging replicates the edges.
        let pair = try GrayImage(width: 2, height: 1, pixels: [0, 100])
        #expect(resizeLinearExact(pair, width: 4, height: 1).pixels == [0, 25, 75, 100])
    }

    @Test func aPartOfAnExactResizeIsThatPartOfTheWhole() throws {
        var generator = SystemRandomNumberGenerator()
        let pixels: [UInt8] = (0..<(64 * 36)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let image = try GrayImage(width: 64, height: 36, pixels: pixels)
        let resizer = LinearExactResizer(sourceWidth: 64, sourceHeight: 36, width: 29, height: 17)
        let whole = resizer.resize(image)
        let stride = 40
        var part = [UInt8](repeating: 0, count: stride * 17)
        part.withUnsafeMutableBufferPointer { resizer.resize(image, rows: 3..<12, columns: 7..<25, into: $0.baseAddress!, stride: stride) }
        var wrong = 0
        for y in 0..<17 {
            for x in 0..<29 {
                let inside = (3..<12).contains(y) && (7..<25).contains(x)
                let expected: UInt8 = inside ? whole[x, y] : 0
                if part[y * stride + x] != expected { wrong += 1 }
            }
        }
        #expect(wrong == 0)
    }

    @Test func aCentreAreaFindsTheFaceAFullScanFinds() throws {
        let detector = HaarDetector(cascade: try HaarCascade(path: TestRoot.path("models/haarcascade_frontalface_default.xml")))
        let reader = try VideoReader(path: TestRoot.path("samples/media/WolfgangLanger_Pexels.mp4"))
        let frame = try #require(try reader.nextFrame()).gray
        let full = detector.detect(frame)
        let face = try #require(full.first)
        let whole = FaceBox(x: 0, y: 0, width: frame.width, height: frame.height)
        #expect(detector.detect(frame, centres: whole) == full, "centres anywhere in the frame change nothing")
        let nearCentre = FaceBox(x: face.x + face.width / 4, y: face.y + face.height / 4, width: face.width / 2, height: face.height / 2)
        #expect(detector.detect(frame, centres: nearCentre).first == face)
        let corner = FaceBox(x: 0, y: 0, width: 60, height: 60)
        #expect(detector.detect(frame, centres: corner).isEmpty)
    }

    @Test func aSizeFloorStopsTheScanBelowTheLargestFace() throws {
        let detector = HaarDetector(cascade: try HaarCascade(path: TestRoot.path("models/haarcascade_frontalface_default.xml")))
        // multi_face.jpg holds four faces from 101 to 130 pixels wide.
        let image = try #require(try VideoReader(path: TestRoot.path("samples/media/multi_face.jpg")).nextFrame()).gray
        let full = detector.detect(image)
        #expect(full.count == 4)
        // Every face is above 0.6 times the largest, so all four are found; the 101-pixel one comes out one
        // pixel larger, because OpenCV's box averages windows below the floor into it.
        let floored = detector.detect(image, sizeFloor: 0.6)
        #expect(Array(floored.prefix(3)) == Array(full.prefix(3)))
        #expect(floored.count == 4 && floored[3].intersectionOverUnion(full[3]) > 0.95)
        #expect(detector.detect(image, sizeFloor: 0) == full, "a floor of 0 scans every size")
        // At 0.9 the scan stops before the smaller windows that OpenCV's grouping chains with a 151-pixel
        // cluster, so that cluster comes out on its own.
        #expect(detector.detect(image, sizeFloor: 0.9).first == FaceBox(x: 295, y: 219, width: 151, height: 151))
    }

    @Test func integralsOfAPartGiveTheWholeLevelsWindowSums() throws {
        let detector = HaarDetector(cascade: try HaarCascade(path: "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"))
        var generator = SystemRandomNumberGenerator()
        let pixels: [UInt8] = (0..<1200).map { _ in UInt8.random(in: 0...255, using: &generator) }
        detector.prepare(stride: 41, rows: 31)
        detector.buildIntegrals(try GrayImage(width: 40, height: 30, pixels: pixels))
        let wholeSum = detector.sum, wholeSquares = detector.squares
        detector.buildIntegrals(rows: 7..<25, columns: 5..<33)
        // Windows inside rows 7..<25 and columns 5..<33, as (x, y, width, height).
        let windows: [(Int, Int, Int, Int)] = [(5, 7, 28, 18), (6, 9, 16, 10), (10, 10, 20, 15), (17, 8, 12, 12)]
        for (x, y, width, height) in windows {
            let corners: [Int] = [y * 41 + x, y * 41 + x + width, (y + height) * 41 + x, (y + height) * 41 + x + width]
            func windowSum(_ table: [Int32]) -> Int32 {
                let values: [Int32] = corners.map { table[$0] }
                return values[0] &- values[1] &- values[2] &+ values[3]
            }
            #expect(windowSum(detector.sum) == windowSum(wholeSum))
            #expect(windowSum(detector.squares) == windowSum(wholeSquares))
        }
    }

    /// The stumps with two rectangles are added before those with three only where that cannot change a total.
    @Test func stumpsAreRegroupedOnlyWhereTheLeafSumsAreExactInAnyOrder() throws {
        for name in ["haarcascade_frontalface_default.xml", "haarcascade_frontalface_alt.xml"] {
            #expect(CompiledCascade.leafSumsAreExact(try HaarCascade(path: CascadeLoaderTests.folder + name)), "\(name)")
        }
        // Leaves of 1 and 1e-20 need far more than Double's 53 bits to add exactly: the cascade's order stays.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-\(UUID().uuidString).xml")
        try Data("""
            <opencv_storage><cascade><stageType>BOOST</stageType><featureType>HAAR</featureType>
            <height>24</height><width>24</width><featureParams><maxCatCount>0</maxCatCount></featureParams>
            <stages><_><stageThreshold>-1</stageThreshold><weakClassifiers>
            <_><internalNodes>0 -1 0 0.5</internalNodes><leafValues>1e-20 -1e-20</leafValues></_>
            <_><internalNodes>0 -1 1 0.5</internalNodes><leafValues>1 -1</leafValues></_></weakClassifiers></_></stages>
            <features><_><rects><_>6 4 12 9 -1.</_><_>6 7 12 3 3.</_></rects></_>
            <_><rects><_>0 0 24 24 -1.</_><_>0 0 12 12 2.</_><_>12 12 12 12 2.</_></rects></_></features></cascade></opencv_storage>
            """.utf8).write(to: url)
        let tiny = try HaarCascade(path: url.path)
        #expect(!CompiledCascade.leafSumsAreExact(tiny))
        let ordered = CompiledCascade(cascade: tiny, stride: 25)
        #expect(ordered.stageStumps.map(\.mixed) == [0..<2])
        #expect(ordered.stageStumps.allSatisfy { $0.floatVerdict == nil }, "only the Double sum decides stages kept in order")
    }

    /// A Float sum of a stage's leaves decides the stage only where the exact (Double) sum agrees: for every stage of
    /// the bundled cascades and many random choices of leaves, the Float sum stays within half the margin of the Double
    /// sum, and a sum beyond either bound gives the Double sum's verdict.
    @Test func floatSumsDecideAStageOnlyWhereTheDoubleSumAgrees() throws {
        var generator = SystemRandomNumberGenerator()
        for name in ["haarcascade_frontalface_default.xml", "haarcascade_frontalface_alt.xml"] {
            let program = CompiledCascade(cascade: try HaarCascade(path: CascadeLoaderTests.folder + name), stride: 25)
            var decided = 0, undecided = 0
            for (index, stage) in program.stages.enumerated() {
                let ranges = program.stageStumps[index]
                let verdict = try #require(ranges.floatVerdict)
                let stumps = program.stumps[ranges.twoRectangles.lowerBound..<ranges.threeRectangles.upperBound]
                let margin = Double(verdict.surePass) - Double(stage.threshold)
                for _ in 0..<2000 {
                    var float: Float = 0, double = 0.0
                    for stump in stumps {
                        let leaf = Bool.random(using: &generator) ? stump.left : stump.right
                        float += leaf
                        double += Double(leaf)
                    }
                    #expect(abs(Double(float) - double) <= margin / 2)
                    if float >= verdict.surePass { #expect(double >= Double(stage.threshold)); decided += 1 }
                    else if float < verdict.sureFail { #expect(double < Double(stage.threshold)); decided += 1 }
                    else { undecided += 1 }
                }
            }
            #expect(decided > 100 * undecided, "\(name): Float sums decide almost every stage (\(decided) decided, \(undecided) left to Double)")
        }
    }

    /// Regrouped or in the cascade's order, every window of a real frame gets the same verdict at the same stage.
    @Test func regroupedStumpsGiveEveryWindowTheSameResult() throws {
        let cascade = try HaarCascade(path: CascadeLoaderTests.folder + "haarcascade_frontalface_default.xml")
        let frame = try #require(try VideoReader(path: TestRoot.path("samples/media/WolfgangLanger_Pexels.mp4")).nextFrame()).gray
        let detector = HaarDetector(cascade: cascade)
        detector.prepare(stride: frame.width + 1, rows: frame.height + 1)
        detector.buildIntegrals(frame)
        let regrouped = CompiledCascade(cascade: cascade, stride: frame.width + 1)
        let ordered = CompiledCascade(cascade: cascade, stride: frame.width + 1, regroupingStumps: false)
        #expect(regrouped.stageStumps.allSatisfy { $0.mixed.isEmpty } && ordered.stageStumps.allSatisfy { $0.twoRectangles.isEmpty })
        var deepest = 0, compared = 0
        detector.sum.withUnsafeBufferPointer { sum in
            detector.squares.withUnsafeBufferPointer { squares in
                for y in stride(from: 0, to: frame.height - 24, by: 2) {
                    for x in stride(from: 0, to: frame.width - 24, by: 1) {
                        let offset = y * (frame.width + 1) + x
                        let result = regrouped.evaluate(sum: sum.baseAddress! + offset, squares: squares.baseAddress! + offset)
                        #expect(result == ordered.evaluate(sum: sum.baseAddress! + offset, squares: squares.baseAddress! + offset))
                        deepest = max(deepest, -result)
                        compared += 1
                    }
                }
            }
        }
        #expect(compared > 50_000 && deepest >= 10, "windows rejected at late stages were compared (deepest: stage \(deepest))")
    }

    /// The batched row scan (eight windows per SIMD batch, on grids of every, every other and every fourth column)
    /// accepts the windows OpenCV's one-window loop accepts, skipping after first-stage rejections as it does.
    @Test(arguments: [1, 2, 4])
    func batchedRowsAcceptWhatTheOneWindowLoopAccepts(step: Int) throws {
        let cascade = try HaarCascade(path: CascadeLoaderTests.folder + "haarcascade_frontalface_default.xml")
        let full = try #require(try VideoReader(path: TestRoot.path("samples/media/WolfgangLanger_Pexels.mp4")).nextFrame()).gray
        var accepted = 0
        // Smaller copies of the frame, down to one where the face (260 pixels wide) fills windows of the cascade's own size.
        for width in [213, 107, 74] {
            let frame = resizeLinearExact(full, width: width, height: width * 9 / 16)
            let detector = HaarDetector(cascade: cascade)
            detector.prepare(stride: frame.width + 1, rows: frame.height + 1)
            detector.buildIntegrals(frame)
            let program = CompiledCascade(cascade: cascade, stride: frame.width + 1)
            detector.sum.withUnsafeBufferPointer { sum in
                detector.squares.withUnsafeBufferPointer { squares in
                    for y in 0..<(frame.height - 23) {
                        let row = (sum.baseAddress! + y * (frame.width + 1), squares.baseAddress! + y * (frame.width + 1))
                        for first in [0, 1, 3] {
                            var batched: [Int] = [], oneByOne: [Int] = []
                            program.scanRow(sum: row.0, squares: row.1, first: first, end: frame.width - 23, step: step) { batched.append($0) }
                            var x = first
                            while x < frame.width - 23 {
                                let result = program.evaluate(sum: row.0 + x, squares: row.1 + x)
                                if result > 0 { oneByOne.append(x) }
                                x += result == 0 ? 2 * step : step
                            }
                            #expect(batched == oneByOne, "width \(width), row \(y) from column \(first)")
                            accepted += oneByOne.count
                        }
                    }
                }
            }
        }
        #expect(step == 4 || accepted > 0, "some windows were accepted")
    }

    @Test func uniformImagesHaveNoFaces() throws {
        let detector = HaarDetector(cascade: try HaarCascade(path: "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"))
        let flat = try GrayImage(width: 200, height: 150, pixels: [UInt8](repeating: 128, count: 200 * 150))
        #expect(detector.candidates(flat, parameters: .init(minNeighbors: 0)).isEmpty, "flat windows fail the variance check")
    }
}

@Suite struct CascadeLoaderTests {
    static let folder = "/usr/share/opencv4/haarcascades/"

    private func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-\(UUID().uuidString).xml")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test(arguments: ["haarcascade_frontalface_default.xml", "haarcascade_frontalface_alt.xml", "haarcascade_frontalface_alt2.xml"])
    func loadsDebiansFrontalCascades(name: String) throws {
        let cascade = try HaarCascade(path: Self.folder + name)
        #expect(cascade.stageCount >= 20)
        #expect(cascade.windowWidth == cascade.windowHeight)
    }

    @Test func loadsTheOldFormatOfTheDefaultModelsCascade() throws {
        let old = try HaarCascade(path: TestRoot.path("models/haarcascade_frontalface_default.xml"))
        let new = try HaarCascade(path: Self.folder + "haarcascade_frontalface_default.xml")
        #expect(old.stageCount == new.stageCount && old.weakClassifierCount == new.weakClassifierCount)
        #expect(old.windowWidth == 24 && old.isStumpBased)
        #expect(zip(old.stages, new.stages).allSatisfy { $0.threshold == $1.threshold })
    }

    @Test func refusesLBPCascades() {
        let path = "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface.xml"
        #expect(throws: CascadeError.unsupported(path: path, expected: "featureType HAAR (facemood runs Haar cascades only)", found: "'LBP'")) {
            try HaarCascade(path: path)
        }
    }

    @Test func refusesTiltedFeatures() throws {
        let path = Self.folder + "haarcascade_smile.xml"
        do {
            _ = try HaarCascade(path: path)
            Issue.record("a cascade with tilted features loaded")
        } catch let error as CascadeError {
            #expect(error.description.contains("tilted (45°) feature"), "\(error)")
        }
    }

    @Test func malformedXML() throws {
        let path = try write("<opencv_storage>\n<cascade>\n<stageType>BOOST</featureType></cascade></opencv_storage>")
        do {
            _ = try HaarCascade(path: path)
            Issue.record("malformed XML loaded")
        } catch let error as CascadeError {
            guard case .malformedXML = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.hasPrefix("\(path): expected an OpenCV Haar cascade (XML), but the XML is malformed"))
            #expect(error.description.hasSuffix(" at line 3"), "\(error)")
        }
    }

    @Test func featureRectanglesMustLieInsideTheWindow() throws {
        let path = try write("""
            <opencv_storage><cascade><stageType>BOOST</stageType><featureType>HAAR</featureType>
            <height>24</height><width>24</width><featureParams><maxCatCount>0</maxCatCount></featureParams>
            <stages><_><stageThreshold>-1</stageThreshold><weakClassifiers><_><internalNodes>0 -1 0 0.5</internalNodes>
            <leafValues>1 -1</leafValues></_></weakClassifiers></_></stages>
            <features><_><rects><_>20 4 12 9 -1.</_><_>6 7 12 3 3.</_></rects></_></features></cascade></opencv_storage>
            """)
        #expect(throws: CascadeError.invalid(path: path, expected: "feature rectangles inside the 24x24 window", found: "(20, 4, 12, 9) in feature #0")) {
            try HaarCascade(path: path)
        }
    }

    static func tinyCascade(window: String = "24", rect: String = "6 4 12 9 -1.", nodes: String = "0 -1 0 0.5") -> String {
        """
        <opencv_storage><cascade><stageType>BOOST</stageType><featureType>HAAR</featureType>
        <height>\(window)</height><width>\(window)</width><featureParams><maxCatCount>0</maxCatCount></featureParams>
        <stages><_><stageThreshold>-1</stageThreshold><weakClassifiers><_><internalNodes>\(nodes)</internalNodes>
        <leafValues>1 -1</leafValues></_></weakClassifiers></_></stages>
        <features><_><rects><_>\(rect)</_><_>6 7 12 3 3.</_></rects></_></features></cascade></opencv_storage>
        """
    }

    /// Numbers that do not fit an index (NaN, infinities, 1e30, fractions) are errors naming the file, never a trap.
    @Test(arguments: [
        ("24", "nan 4 12 9 -1.", "0 -1 0 0.5"), ("24", "1e30 4 12 9 -1.", "0 -1 0 0.5"), ("24", "6 4 inf 9 -1.", "0 -1 0 0.5"),
        ("24", "6.5 4 12 9 -1.", "0 -1 0 0.5"), ("24", "6 4 12 9 -1.", "0 -1 1e30 0.5"), ("24", "6 4 12 9 -1.", "0 nan 0 0.5"),
        ("1e30", "6 4 12 9 -1.", "0 -1 0 0.5"), ("100000", "6 4 12 9 -1.", "0 -1 0 0.5"), ("inf", "6 4 12 9 -1.", "0 -1 0 0.5"),
    ])
    func absurdNumbersAreRefused(window: String, rect: String, nodes: String) throws {
        let path = try write(Self.tinyCascade(window: window, rect: rect, nodes: nodes))
        do {
            _ = try HaarCascade(path: path)
            Issue.record("a cascade with \(window) / \(rect) / \(nodes) loaded")
        } catch let error as CascadeError {
            #expect(error.description.hasPrefix("\(path): "), "\(error)")
        }
        #expect(throws: Never.self) { try HaarCascade(path: try write(Self.tinyCascade())) }
    }

    @Test func deeplyNestedXMLIsRefused() throws {
        let depth = 100_000
        let path = try write("<opencv_storage>" + String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth) + "</opencv_storage>")
        do {
            _ = try HaarCascade(path: path)
            Issue.record("a 100,000-deep document loaded")
        } catch let error as CascadeError {
            #expect(error.description.hasPrefix("\(path): "), "\(error)")
        }
    }

    /// Inputs `make fuzz` found (Tests/Fixtures/fuzz/cascade): each is refused with an error, never a crash.
    @Test func inputsTheFuzzerFoundAreRefused() throws {
        let folder = TestRoot.path("Tests/Fixtures/fuzz/cascade")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(!files.isEmpty)
        for file in files {
            #expect(throws: CascadeError.self, "\(file)") { try HaarCascade(path: folder + "/" + file) }
        }
    }

    @Test func notACascade() throws {
        let path = try write("<opencv_storage><something/></opencv_storage>")
        #expect(throws: CascadeError.invalid(path: path, expected: "a <stageType> element in <something>", found: "none")) {
            try HaarCascade(path: path)
        }
        #expect(throws: CascadeError.unreadable(path: "/nonexistent.xml", reason: "no such file")) {
            try HaarCascade(path: "/nonexistent.xml")
        }
    }
}

enum TestRoot {
    static func path(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(relative).path
    }
}

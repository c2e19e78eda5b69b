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
        let chain = (0..<3).map { FaceBox(x: $0 * 8, y: 0, width: 40, height: 40) }
        #expect(partition(chain) { a, b in abs(a.x - b.x) <= 8 } == [0, 0, 0])
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
        detector.buildIntegrals(GrayImage(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6]))
        #expect(Array(detector.sum.prefix(12)) == [0, 0, 0, 0, 0, 1, 3, 6, 0, 5, 12, 21])
        #expect(Array(detector.squares.prefix(12)) == [0, 0, 0, 0, 0, 1, 5, 14, 0, 17, 46, 91])
        // 255² over 200×200 pixels exceeds Int32: the squared integral wraps, as OpenCV's CV_32S buffer does.
        let bright = GrayImage(width: 200, height: 200, pixels: [UInt8](repeating: 255, count: 40_000))
        detector.prepare(stride: 201, rows: 201)
        detector.buildIntegrals(bright)
        let total = Int64(255 * 255) * 40_000
        #expect(detector.squares[200 * 201 + 200] == Int32(truncatingIfNeeded: total))
    }

    @Test func exactResizeMatchesOpenCVsRule() {
        // 4 → 2 pixels: coordinates 0.5 and 2.5, weights 128/128: (0+10+1)/2 → 5, (20+30)/2 → 25.
        let row = GrayImage(width: 4, height: 1, pixels: [0, 10, 20, 30])
        #expect(resizeLinearExact(row, width: 2, height: 1).pixels == [5, 25])
        // Enlarging replicates the edges.
        let pair = GrayImage(width: 2, height: 1, pixels: [0, 100])
        #expect(resizeLinearExact(pair, width: 4, height: 1).pixels == [0, 25, 75, 100])
    }

    @Test func aSearchAreaFindsTheFaceAFullScanFinds() throws {
        let detector = HaarDetector(cascade: try HaarCascade(path: TestRoot.path("models/haarcascade_frontalface_default.xml")))
        let reader = try VideoReader(path: TestRoot.path("samples/media/WolfgangLanger_Pexels.mp4"))
        let frame = try #require(try reader.nextFrame()).gray
        let full = detector.detect(frame)
        let face = try #require(full.first)
        let whole = FaceBox(x: 0, y: 0, width: frame.width, height: frame.height)
        #expect(detector.detect(frame, searchArea: whole) == full, "an area covering the frame changes nothing")
        let around = FaceBox(x: face.x - face.width, y: face.y - face.height, width: 3 * face.width, height: 3 * face.height)
        #expect(detector.detect(frame, searchArea: around).first == face)
        let elsewhere = FaceBox(x: 0, y: 0, width: 60, height: 60)
        #expect(detector.detect(frame, searchArea: elsewhere).isEmpty)
    }

    @Test func uniformImagesHaveNoFaces() throws {
        let detector = HaarDetector(cascade: try HaarCascade(path: "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"))
        let flat = GrayImage(width: 200, height: 150, pixels: [UInt8](repeating: 128, count: 200 * 150))
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
        let path = try write("<opencv_storage><cascade><stageType>BOOST</featureType></cascade></opencv_storage>")
        do {
            _ = try HaarCascade(path: path)
            Issue.record("malformed XML loaded")
        } catch let error as CascadeError {
            guard case .malformedXML = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.hasPrefix("\(path): expected an OpenCV Haar cascade (XML), but the XML is malformed"))
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

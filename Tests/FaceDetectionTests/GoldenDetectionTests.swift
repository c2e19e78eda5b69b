import Imaging
import Foundation
import Testing
import VideoIO
@testable import FaceDetection

/// OpenCV 4.x `detectMultiScale` is the reference (Tests/Fixtures/haar/detections.golden.json, written by
/// scripts/reference/haar_goldens.py): on every golden frame, for every parameter set and cascade, the
/// sorted box list must be OpenCV's exactly.
@Suite struct GoldenDetectionTests {
    struct Golden: Decodable {
        struct Run: Decodable {
            let cascade: String
            let scale_factor: Double
            let min_neighbors: Int
            let min_size: Int
        }
        struct Frame: Decodable {
            let media: String
            let frame: Int
            let boxes: [[[Int]]]
        }
        let reference: String
        let runs: [Run]
        let frames: [Frame]
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func load() throws -> Golden {
        let url = root.appendingPathComponent("Tests/Fixtures/haar/detections.golden.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    static func cascade(_ name: String) throws -> HaarCascade {
        // The reference used Debian's opencv-data copies (make deps installs them).
        try HaarCascade(path: "/usr/share/opencv4/haarcascades/" + name)
    }

    @Test func theGoldenSetIsLargeEnough() throws {
        let golden = try Self.load()
        #expect(golden.frames.count >= 150)
        #expect(Set(golden.frames.map(\.media)) == Set(Self.media))
        #expect(Set(golden.runs.map(\.cascade)).count == 3)
    }

    static let media = ["single_face.mp4", "WolfgangLanger_Pexels.mp4", "no_face.mp4", "face_noface.mov", "noface_face.mov",
                        "single_face.jpg", "multi_face.jpg", "BWPictureHuman.jpg", "0-f1-su-ph.jpg", "0-f15-hao-ph.jpg",
                        "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg", "free-mountain-vector-01.jpg", "Image_with_alpha.png"]

    @Test(arguments: media)
    func everyGoldenFrameGivesOpenCVsBoxes(media: String) throws {
        let golden = try Self.load()
        let detectors = try golden.runs.map { HaarDetector(cascade: try Self.cascade($0.cascade)) }
        var compared = 0, mismatches: [String] = []
        let cases = golden.frames.filter { $0.media == media }
        do {
            let wanted = Dictionary(uniqueKeysWithValues: cases.map { ($0.frame, $0) })
            let path = Self.root.appendingPathComponent("samples/media/" + media).path
            let reader = try VideoReader(path: path)
            while let frame = try reader.nextFrame() {
                guard let expected = wanted[frame.index] else { continue }
                for (runIndex, run) in golden.runs.enumerated() {
                    let parameters = HaarDetector.Parameters(scaleFactor: run.scale_factor, minNeighbors: run.min_neighbors,
                                                             minSize: run.min_size)
                    let boxes = detectors[runIndex].detect(frame.gray, parameters: parameters)
                    let reference = expected.boxes[runIndex].map { FaceBox(x: $0[0], y: $0[1], width: $0[2], height: $0[3]) }.sortedByArea()
                    compared += 1
                    if boxes != reference {
                        mismatches.append("\(media) frame \(frame.index), \(run.cascade) \(run.scale_factor)/\(run.min_neighbors)/\(run.min_size): \(boxes) vs OpenCV \(reference)")
                    }
                }
            }
        }
        #expect(compared == cases.count * golden.runs.count, "every golden frame was decoded and compared")
        let report = mismatches.prefix(20).joined(separator: "\n")
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(compared) detections differ:\n\(report)")
    }

    /// The default mode's full detection scans sizes from the largest down and stops below 0.6 times the
    /// largest face found so far. Where OpenCV's grouping chains a large face's candidates with much smaller
    /// windows, the stop changes that face's box; the test states how often that happens on the golden frames.
    @Test func aSizeFloorUsuallyKeepsOpenCVsLargestFace() throws {
        let golden = try Self.load()
        var compared = 0, same = 0, differences: [String] = []
        for media in Self.media {
            let cases = Dictionary(uniqueKeysWithValues: golden.frames.filter { $0.media == media }.map { ($0.frame, $0) })
            let reader = try VideoReader(path: Self.root.appendingPathComponent("samples/media/" + media).path)
            let runIndex = try #require(golden.runs.firstIndex { $0.cascade == "haarcascade_frontalface_default.xml" && $0.scale_factor == 1.1 && $0.min_neighbors == 5 })
            let run = golden.runs[runIndex]
            let detector = HaarDetector(cascade: try Self.cascade(run.cascade))
            let parameters = HaarDetector.Parameters(scaleFactor: run.scale_factor, minNeighbors: run.min_neighbors, minSize: run.min_size)
            while let frame = try reader.nextFrame() {
                guard let expected = cases[frame.index] else { continue }
                let reference = expected.boxes[runIndex].map { FaceBox(x: $0[0], y: $0[1], width: $0[2], height: $0[3]) }.sortedByArea().first
                let floored = detector.detect(frame.gray, parameters: parameters, sizeFloor: 0.6).first
                compared += 1
                if floored == reference { same += 1 } else { differences.append("\(media) frame \(frame.index): \(String(describing: floored)) vs OpenCV \(String(describing: reference))") }
            }
        }
        print("size floor 0.6: OpenCV's largest face on \(same) of \(compared) golden frames; \(differences.joined(separator: "; "))")
        #expect(Double(same) >= 0.97 * Double(compared))
    }
}

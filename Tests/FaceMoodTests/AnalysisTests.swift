import Foundation
import Testing
import VideoIO
@testable import FaceMood
@testable import TimelineOutputs

/// End-to-end agreement with the reference pipeline (Tests/Fixtures/analysis/*.reference.csv, written by
/// scripts/reference/analysis_goldens.py: OpenCV 4.x detection, fer's crop recipe, TensorFlow).
@Suite struct EndToEndTests {
    struct ReferenceRow {
        let time: Double
        let faces: Int
        let box: FaceBox?
        let emotion: String?
        let probabilities: [Double]
    }

    static func reference(_ video: String) throws -> [ReferenceRow] {
        let stem = URL(fileURLWithPath: video).deletingPathExtension().lastPathComponent
        let text = try String(contentsOfFile: try TestPaths.repository("Tests/Fixtures/analysis/\(stem).reference.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = CSV.parse(line: String(line))
            let hasFace = !f[7].isEmpty
            return ReferenceRow(time: Double(f[1])!, faces: Int(f[2])!,
                                box: hasFace ? FaceBox(x: Int(f[3])!, y: Int(f[4])!, width: Int(f[5])!, height: Int(f[6])!) : nil,
                                emotion: hasFace ? f[7] : nil, probabilities: hasFace ? f[8...].map { Double($0)! } : [])
        }
    }


    /// Our timeline rows for `video`, read back from the CSV the analysis wrote.
    static func analyze(_ video: String, folder: URL) throws -> (rows: [TimelineRow], summary: EmotionSummary, outputs: AnalysisOutputs) {
        let input = try TestPaths.repository("samples/media/" + video)
        let outputs = AnalysisOutputs.defaults(base: TestPaths.outputBase(input, in: folder))
        let summary = try analyzeLikeTheCommand(input, outputs: outputs, analyzer: try testAnalyzer())
        return (try timelineRows(csv: outputs.csv!), summary, outputs)
    }

    @Test(arguments: ["single_face.mp4", "WolfgangLanger_Pexels.mp4", "no_face.mp4", "face_noface.mov", "noface_face.mov"])
    func agreesWithTheReferencePipeline(video: String) throws {
        let reference = try Self.reference(video)
        let folder = try TestPaths.temporaryFolder()
        let ours = try Self.analyze(video, folder: folder).rows
        #expect(ours.count == reference.count, "every decoded frame has a row")
        #expect(ours.map(\.frame) == Array(0..<ours.count))
        var sameLabel = 0, faceFrames = 0, boxesClose = 0, equalBoxes = 0, worstProbability = 0.0, sameFaceCount = 0
        for (row, expected) in zip(ours, reference) {
            #expect(abs(row.time - expected.time) <= 1e-6, "frame \(row.frame): time \(row.time) vs \(expected.time)")
            if row.emotion == expected.emotion { sameLabel += 1 }
            if row.faces == expected.faces { sameFaceCount += 1 }
            guard let expectedBox = expected.box else { continue }
            faceFrames += 1
            guard let box = row.box else { continue }
            if box.intersectionOverUnion(expectedBox) >= 0.9 { boxesClose += 1 }
            if box == expectedBox, let probabilities = row.probabilities {
                equalBoxes += 1
                worstProbability = max(worstProbability, zip(probabilities, expected.probabilities).map { abs($0 - $1) }.max() ?? 0)
            }
        }
        // The exact mode is OpenCV's detection on every frame: what it achieves is what is required.
        #expect(sameLabel == reference.count, "\(video): same label on \(sameLabel) of \(reference.count) frames")
        #expect(sameFaceCount == reference.count, "\(video): same face count on \(sameFaceCount) of \(reference.count) frames")
        #expect(equalBoxes == faceFrames, "\(video): the very same box on \(equalBoxes) of \(faceFrames) face frames")
        // TensorFlow agreement is 1e-5 (GoldenTests); both sides then round to 6 decimals (up to 1e-6 together).
        #expect(worstProbability <= 1.1e-5, "\(video): probabilities differ by up to \(worstProbability) on equal boxes")
        print("agreement with the reference, \(video): label \(sameLabel)/\(reference.count) frames, IoU ≥ 0.9 \(boxesClose)/\(faceFrames), equal boxes \(equalBoxes), largest probability difference \(worstProbability)")
        if video == "single_face.mp4" { #expect(faceFrames == reference.count, "a face on every frame") }
    }

    @Test func videoWithoutFacesGivesFullTimelines() throws {
        let folder = try TestPaths.temporaryFolder()
        let result = try Self.analyze("no_face.mp4", folder: folder)
        #expect(result.rows.count == 95)
        // OpenCV itself finds one false 65×65 "face" in frame 80 (see the reference CSV); every other row is empty.
        #expect(result.rows.filter { $0.faces > 0 }.map(\.frame) == [80])
        #expect(result.rows.filter { $0.faces == 0 }.allSatisfy { $0.box == nil && $0.emotion == nil && $0.probabilities == nil })
        let csvLine = try String(contentsOfFile: result.outputs.csv!, encoding: .utf8).split(separator: "\n")[1]
        #expect(csvLine == "0,0.000000,0.041667,0,,,,,,,,,,,,,")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: result.outputs.json!))) as! [String: Any]
        let frames = json["frames"] as! [[String: Any]]
        #expect(frames.count == 95 && frames[0]["box"] is NSNull && frames[0]["probs"] is NSNull)
    }

    @Test func inputWithoutAnyFaceSaysSo() throws {
        let folder = try TestPaths.temporaryFolder()
        let result = try Self.analyze("free-mountain-vector-01.jpg", folder: folder)
        #expect(result.rows.count == 1 && result.rows[0].faces == 0)
        #expect(result.summary.framesWithFace == 0 && result.summary.dominantEmotion == nil)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: result.outputs.json!))) as! [String: Any]
        let summary = json["summary"] as! [String: Any]
        #expect(summary["dominant_emotion"] is NSNull && summary["frames_with_face"] as? Int == 0)
    }

    @Test func summarizeReproducesTheSummaryFromBothFiles() throws {
        let folder = try TestPaths.temporaryFolder()
        let result = try Self.analyze("face_noface.mov", folder: folder)
        #expect(result.summary.framesWithFace > 0 && result.summary.framesWithFace < result.summary.frames)
        let fromCSV = try TimelineReader.summary(ofFile: result.outputs.csv!)
        let fromJSON = try TimelineReader.summary(ofFile: result.outputs.json!)
        #expect(fromCSV.json() == result.summary.json())
        #expect(fromJSON.json() == result.summary.json())
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: result.outputs.json!))) as! [String: Any]
        let writtenSummary = try JSONSerialization.data(withJSONObject: written["summary"]!, options: [.sortedKeys])
        let recomputed = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: Data(fromCSV.json().utf8)),
                                                    options: [.sortedKeys])
        #expect(writtenSummary == recomputed)
    }

    @Test func jsonTimelineDescribesItsMaking() throws {
        let folder = try TestPaths.temporaryFolder()
        let result = try Self.analyze("single_face.mp4", folder: folder)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: result.outputs.json!))) as! [String: Any]
        let input = json["input"] as! [String: Any], model = json["model"] as! [String: Any], detector = json["detector"] as! [String: Any]
        #expect((json["tool"] as! [String: Any])["name"] as? String == "facemood")
        #expect(input["codec"] as? String == "h264" && input["frames"] as? Int == 72 && input["width"] as? Int == 640)
        #expect(model["sha256"] as? String == "59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e")
        #expect(model["labels"] as? [String] == ModelProfile.fer2013Labels && model["input_range"] as? String == "[-1,1]")
        #expect(detector["cascade_sha256"] as? String == "eeb6934b0cbf1e7b2b5ebea8fedc73ac653f0db5ffaa42e5ce61535830115466")
        let first = (json["frames"] as! [[String: Any]])[0]
        #expect(first["box"] as? [Int] == [195, 90, 199, 199])
        #expect((first["probs"] as! [String: Any]).count == 7)
    }
}

@Suite struct TimelinePartsTests {
    @Test func cropSquaresGrowsAndFills() throws {
        // 4×2 box: squared to 4×4 by moving up 1 (2 // 2), grown by 1 on every side.
        let crop = FaceCrop(box: FaceBox(x: 2, y: 2, width: 4, height: 2), margin: 1)
        #expect(crop.region == FaceBox(x: 1, y: 0, width: 6, height: 6))
        // An odd difference moves the origin by its half rounded down (3 // 2 = 1); the extra pixel goes right.
        #expect(FaceCrop(box: FaceBox(x: 0, y: 0, width: 3, height: 6), margin: 0).region == FaceBox(x: -1, y: 0, width: 6, height: 6))
        #expect(floorDivide(-3, 2) == -2 && floorDivide(3, 2) == 1)
        // A 3×3 frame whose bottom two rows average 4.5 → fill 4 (half to even).
        let frame = try GrayImage(width: 3, height: 3, pixels: [9, 9, 9, 3, 4, 5, 4, 5, 6])
        let cut = FaceCrop(box: FaceBox(x: 2, y: 2, width: 2, height: 2), margin: 0).cut(from: frame)
        #expect(cut.pixels == [6, 4, 4, 4])
    }

    @Test func sha256OfKnownInputs() {
        #expect(SHA256.hex(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Data(repeating: 0x61, count: 1_000_000)
        #expect(SHA256.hex(of: long) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func csvParsing() {
        #expect(CSV.parse(line: #"a,"b,c","say ""hi""",,x"#) == ["a", "b,c", #"say "hi""#, "", "x"])
    }

    @Test func summaryDefinitions() {
        var summary = EmotionSummary(labels: ["calm", "tense"])
        func row(_ emotion: String?, _ duration: Double) -> TimelineRow {
            TimelineRow(frame: 0, time: 0, duration: duration, faces: emotion == nil ? 0 : 1,
                        box: emotion == nil ? nil : FaceBox(x: 0, y: 0, width: 1, height: 1), emotion: emotion,
                        confidence: emotion == nil ? nil : 0.75, probabilities: emotion == "calm" ? [0.75, 0.25] : emotion == nil ? nil : [0.25, 0.75])
        }
        for entry in [("calm", 0.5), ("calm", 0.5), (nil, 1.0), ("calm", 0.25), ("tense", 0.5), ("calm", 0.25)] as [(String?, Double)] {
            summary.add(row(entry.0, entry.1))
        }
        #expect(summary.frames == 6 && summary.framesWithFace == 5)
        #expect(summary.duration == 3.0 && summary.faceSeconds == 2.0)
        #expect(summary.dominantSeconds == [1.5, 0.5] && summary.dominantFrames == [4, 1])
        #expect(summary.longestRuns == [1.0, 0.5], "the frame without a face breaks the calm run")
        #expect(summary.labelChanges == 2, "calm→calm (across the gap)→tense→calm")
        #expect(summary.dominantEmotion == "calm")
        #expect(summary.shareOfFaceTime(0) == 0.75 && summary.meanProbability(1) == (0.25 * 4 + 0.75) / 5)
    }
}

/// The pipeline's scheduling: a worker that would wait classifies faces another worker found, with the same results
/// as one worker alone; a failing segment ends the run with its error and nothing after it; and memory stays flat,
/// since a segment handed to the consumer keeps none of its frames.
@Suite(.timeLimit(.minutes(1))) struct SegmentSchedulingTests {
    /// The first frames' face (a fixed box), then an error at frame `failingFrame`.
    final class ScriptedDetector: FaceDetectorSession {
        struct Failure: Error, Equatable { let frame: Int }
        let failingFrame: Int?
        init(failingFrame: Int?) { self.failingFrame = failingFrame }
        func detectFaces(in image: GrayImage, previousFace: FaceBox?) -> [FaceBox] { [] }
        func detect(in frame: VideoFrame, previousFace: FaceBox?) throws -> [DetectedFace] {
            if frame.index == failingFrame { throw Failure(frame: frame.index) }
            return frame.index % 3 == 2 ? [] : [DetectedFace(box: FaceBox(x: 200, y: 40, width: 160, height: 160))]
        }
    }

    static func pool(failingFrame: Int? = nil) throws -> FrameAnalyzerPool {
        let classifier = try EmotionClassifier(modelPath: try TestPaths.repository("models/emotion_model.hdf5"))
        return FrameAnalyzerPool(capacity: 2) {
            FrameAnalyzer(detector: ScriptedDetector(failingFrame: failingFrame), classifier: EmotionClassifier.Session(classifier: classifier))
        }
    }

    static func run(workers: Int, segmentLength: Int, failingFrame: Int? = nil) throws -> (results: [FrameResult], shared: Int) {
        let source = try FileFrameSource(path: try TestPaths.repository("samples/media/single_face.mp4"))
        defer { source.close() }
        var results: [FrameResult] = []
        let shared = try AnalysisPipeline.run(source: source, segmentLength: segmentLength, workers: workers, cancellation: Cancellation(),
                                              clock: nil, analyzers: try pool(failingFrame: failingFrame)) { results.append($0.result) }
        return (results, shared)
    }

    @Test func aWaitingWorkerClassifiesWhatAnotherFound() throws {
        // One segment: the second worker has nothing to detect, only the first worker's faces to classify.
        let alone = try Self.run(workers: 1, segmentLength: 1000)
        let together = try Self.run(workers: 2, segmentLength: 1000)
        #expect(alone.results.count == 72 && alone.results.filter { $0.face != nil }.count == 48)
        #expect(alone.shared == 0)
        #expect(together.results == alone.results)
        #expect(together.shared > 0, "the second worker classified none of the 48 faces")
        let segments = try Self.run(workers: 2, segmentLength: 10)
        #expect(segments.results == alone.results)
    }

    @Test func aFailedSegmentEndsTheRunWithItsError() throws {
        for workers in [1, 2] {
            var delivered: [Int] = []
            let source = try FileFrameSource(path: try TestPaths.repository("samples/media/single_face.mp4"))
            defer { source.close() }
            #expect(throws: ScriptedDetector.Failure(frame: 37)) {
                try AnalysisPipeline.run(source: source, segmentLength: 10, workers: workers, cancellation: Cancellation(), clock: nil,
                                         analyzers: try Self.pool(failingFrame: 37)) { delivered.append($0.result.frame) }
            }
            #expect(delivered == Array(0..<30), "\(workers) workers: the segments before the failing one, in order, and nothing after")
        }
    }

    @Test func aHandedOverSegmentKeepsNoFrames() throws {
        let results = SegmentResults()
        let scheduler = SegmentScheduler(results: results)
        let analyzer = try Self.pool().take()
        let gray = try GrayImage(width: 4, height: 4, pixels: [UInt8](repeating: 9, count: 16))
        let frames = (0..<2).map { VideoFrame(index: $0, timestamp: nil, time: Double($0), duration: 1, gray: gray, color: nil) }
        let segment = scheduler.startSegment()
        for frame in frames { scheduler.push(frame, to: segment) }
        scheduler.close(segment)
        #expect(scheduler.endDecoding() == 1)
        #expect(scheduler.framesHeld(by: segment) == 2)
        guard case .start(let started) = scheduler.nextWork(for: analyzer, segment: nil), started === segment,
              case .detect(let first, 0, _) = scheduler.nextWork(for: analyzer, segment: segment),
              case .detect(let second, 1, _) = scheduler.nextWork(for: analyzer, segment: segment) else {
            Issue.record("expected the segment, then its two frames in order")
            return
        }
        #expect(scheduler.framesHeld(by: segment) == 0, "frames handed out for detection are not kept")
        scheduler.complete(segment, position: 0, with: (FrameResult(frame: first, detections: [], face: nil), first))
        #expect(scheduler.framesHeld(by: segment) == 1)
        let face = DetectedFace(box: FaceBox(x: 0, y: 0, width: 4, height: 4))
        scheduler.offer(.init(segment: segment, position: 1, frame: second, detections: [face], detectedBy: ObjectIdentifier(analyzer)))
        guard case .segmentDetected = scheduler.nextWork(for: analyzer, segment: segment),
              case .classify(let classification) = scheduler.nextWork(for: analyzer, segment: nil) else {
            Issue.record("expected the segment's end, then the classification it left")
            return
        }
        scheduler.complete(segment, position: 1, with: (FrameResult(frame: second, detections: [face], face: nil), classification.frame))
        #expect(try results.take(0)?.get().map(\.result.frame) == [0, 1])
        #expect(scheduler.framesHeld(by: segment) == 0, "the segment still holds frames the consumer has")
        guard case .finished = scheduler.nextWork(for: analyzer, segment: nil) else {
            Issue.record("expected the end")
            return
        }
        #expect(scheduler.sharedClassifications == 0, "the worker classified its own face")
    }
}

/// A file's decoder runs on the reading thread alone when the analysis's workers keep every core busy and its frames
/// are small (`DecoderThreads.beside`), and the analysis tells its source how many workers it runs.
@Suite struct DecodingBesideTheAnalysisTests {
    final class RecordingSource: FrameSource {
        let base: FileFrameSource
        var analysisThreads: [Int] = []
        init(_ base: FileFrameSource) { self.base = base }
        var sourceDescription: SourceDescription { base.sourceDescription }
        func prepare(color: Bool) throws { try base.prepare(color: color) }
        func prepareDecoding(besideAnalysisThreads analysisThreads: Int) throws {
            self.analysisThreads.append(analysisThreads)
            try base.prepareDecoding(besideAnalysisThreads: analysisThreads)
        }
        func nextFrame() throws -> VideoFrame? { try base.nextFrame() }
        func close() { base.close() }
    }

    @Test func theAnalysisSaysHowManyWorkersItRuns() throws {
        let path = try TestPaths.repository("samples/media/single_face.mp4")
        for threads in [1, 2] {
            let source = RecordingSource(try FileFrameSource(path: path))
            let summary = try testAnalyzer(mode: .standard, threads: threads).run(source: source, sinks: [])
            #expect(summary.frames == 72)
            #expect(source.analysisThreads == [threads])
        }
    }

    @Test func aFilesDecoderFollowsTheRule() throws {
        let cores = AvailableCPUs.count
        // (file, its threads beside a worker per core)
        for (name, expected) in [("samples/media/single_face.mp4", DecoderThreads.single), ("samples/media/face_noface.mov", .single),
                                 ("samples/media/free-mountain-vector-01.jpg", .automatic)] {
            for busy in Set([1, cores]) {
                let source = try FileFrameSource(path: try TestPaths.repository(name))
                #expect(source.decoderThreads == .automatic)
                try source.prepareDecoding(besideAnalysisThreads: busy)
                #expect(source.decoderThreads == (busy >= cores ? expected : .automatic), "\(name), \(busy) of \(cores) cores busy")
                source.close()
                #expect(source.decoderThreads == nil)
            }
        }
    }

    @Test func aSampledSourceKeepsFFmpegsThreads() throws {
        let file = try FileFrameSource(path: try TestPaths.repository("samples/media/single_face.mp4"))
        defer { file.close() }
        let sampled = try SampledFrameSource(base: file, sampling: FrameSampling(framesPerSecond: 2))
        try sampled.prepareDecoding(besideAnalysisThreads: AvailableCPUs.count)
        #expect(file.decoderThreads == .automatic, "decoding is the slowest stage when few frames are analysed")
    }
}

@Suite struct DetectionIntervalTests {
    @Test func framesOrSecondsAtTheStreamsRate() {
        #expect(DetectionInterval(argument: "10") == .frames(10))
        #expect(DetectionInterval(argument: "0.5s") == .seconds(0.5))
        #expect(DetectionInterval(argument: "0") == nil)
        #expect(DetectionInterval(argument: "-1s") == nil)
        #expect(DetectionInterval(argument: "ten") == nil)
        #expect(DetectionInterval.seconds(0.5).frames(framesPerSecond: 29.97) == 15)
        #expect(DetectionInterval.seconds(1).frames(framesPerSecond: 25) == 25)
        #expect(DetectionInterval.seconds(0.01).frames(framesPerSecond: 25) == 1, "at least every frame")
        #expect(DetectionInterval.seconds(1).frames(framesPerSecond: nil) == 30, "30 frames per second when the stream does not say")
        #expect(DetectionInterval.frames(12).frames(framesPerSecond: 60) == 12)
    }
}

/// The default (tracking) mode against the exact mode on every sample video and on generated face-free and face
/// stretches: the same face presence on at least 99% of frames, the same emotion on at least 98% of frames, and a
/// box with IoU ≥ 0.8 on at least 98% of the exact mode's face frames; and the exact mode gives the same rows
/// whatever the number of threads.
@Suite struct SearchModeTests {
    /// `video`: a path under samples/.
    static func rows(_ video: String, mode: SearchMode, threads: Int) throws -> [TimelineRow] {
        let input = try TestPaths.repository("samples/" + video)
        let folder = try TestPaths.temporaryFolder()
        let outputs = AnalysisOutputs(csv: folder.appendingPathComponent("t.csv").path, json: nil)
        // The rows as analysed, through the CSV as written.
        try analyzeLikeTheCommand(input, outputs: outputs, analyzer: try testAnalyzer(mode: mode, threads: threads))
        return try timelineRows(csv: outputs.csv!)
    }

    @Test(arguments: ["media/single_face.mp4", "media/WolfgangLanger_Pexels.mp4", "media/no_face.mp4", "media/face_noface.mov",
                      "media/noface_face.mov", "generated/face_stretches.mp4"])
    func trackingAgreesWithExact(video: String) throws {
        let exact = try Self.rows(video, mode: .exact, threads: 2)
        let tracking = try Self.rows(video, mode: .standard, threads: 2)
        #expect(tracking.count == exact.count)
        let sameLabel = zip(tracking, exact).filter { $0.emotion == $1.emotion }.count
        let faceFrames = zip(tracking, exact).filter { $1.box != nil }
        let close = faceFrames.filter { pair in pair.0.box.map { $0.intersectionOverUnion(pair.1.box!) >= 0.8 } ?? false }.count
        let samePresence = zip(tracking, exact).filter { ($0.box == nil) == ($1.box == nil) }.count
        #expect(Double(samePresence) >= 0.99 * Double(exact.count), "\(video): same face presence on \(samePresence) of \(exact.count) frames")
        #expect(Double(sameLabel) >= 0.98 * Double(exact.count), "\(video): same label on \(sameLabel) of \(exact.count) frames")
        #expect(Double(close) >= 0.98 * Double(faceFrames.count), "\(video): IoU ≥ 0.8 on \(close) of \(faceFrames.count) face frames")
        let sameBox = zip(tracking, exact).filter { $0.box == $1.box }.count
        print("default mode against --exact, \(video): presence \(samePresence)/\(exact.count) frames, label \(sameLabel)/\(exact.count), IoU ≥ 0.8 \(close)/\(faceFrames.count), same box (or none) \(sameBox)/\(exact.count)")
    }

    @Test func exactModeIsTheSameOnOneThreadAndOnTwo() throws {
        let one = try Self.rows("media/face_noface.mov", mode: .exact, threads: 1)
        let two = try Self.rows("media/face_noface.mov", mode: .exact, threads: 2)
        #expect(one == two)
        let trackingOne = try Self.rows("media/single_face.mp4", mode: .standard, threads: 1)
        let trackingTwo = try Self.rows("media/single_face.mp4", mode: .standard, threads: 2)
        #expect(trackingOne == trackingTwo, "tracking restarts at fixed frames, so threads do not change it either")
    }
}

/// The sinks of a run that may finish concurrently are finished at the same time (their `fsync`s overlap), the others
/// on the calling thread; all are committed only when every one finished: a failure in any finish leaves no output,
/// and the error reported is the first failing sink's in order.
@Suite struct SinkFinishTests {
    struct FinishFailed: Error, Equatable { let name: String }

    final class FailingSink: TimelineSink, @unchecked Sendable {
        let name: String
        let fails: Bool
        let finishesConcurrently: Bool
        private let lock = NSLock()
        private var finishedFlag = false
        private var discardedFlag = false
        private var finishingThread: pthread_t?
        var finished: Bool { lock.withLock { finishedFlag } }
        var discarded: Bool { lock.withLock { discardedFlag } }
        var finishedOn: pthread_t? { lock.withLock { finishingThread } }

        init(name: String, fails: Bool, concurrent: Bool = true) {
            self.name = name
            self.fails = fails
            finishesConcurrently = concurrent
        }

        func start(_ context: TimelineContext) throws {}
        func write(_ result: FrameResult, frame: VideoFrame) throws {}
        func finish(summary: EmotionSummary, decoding: DecodingReport) throws {
            // Slow enough that the sinks' finishes overlap: the other sinks must still finish and then be discarded.
            Thread.sleep(forTimeInterval: 0.05)
            lock.withLock {
                finishedFlag = true
                finishingThread = pthread_self()
            }
            if fails { throw FinishFailed(name: name) }
        }
        func discard() { lock.withLock { discardedFlag = true } }
    }

    @Test func aFailedFinishLeavesNoOutputAndNamesTheFirstFailure() throws {
        let folder = try TestPaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try TestPaths.repository("samples/media/single_face.mp4")
        let csv = folder.appendingPathComponent("t.csv").path, json = folder.appendingPathComponent("t.json").path
        let window = FailingSink(name: "window", fails: false, concurrent: false)
        let first = FailingSink(name: "first", fails: true), fine = FailingSink(name: "fine", fails: false)
        let second = FailingSink(name: "second", fails: true)
        let sinks: [any TimelineSink] = [CSVTimelineSink(output: try AtomicTextFile(destination: csv)), window, first, fine, second,
                                         JSONTimelineSink(output: try AtomicTextFile(destination: json))]
        let caller = pthread_self()
        #expect(throws: FinishFailed(name: "first")) {
            try testAnalyzer(mode: .standard, threads: 2).run(source: try FileFrameSource(path: input), sinks: sinks)
        }
        #expect(first.finished && fine.finished && second.finished && window.finished, "every sink is finished before the failure is reported")
        #expect(window.finishedOn.map { pthread_equal($0, caller) != 0 } == true, "a sink that does not finish concurrently finishes on the calling thread")
        #expect(first.discarded && fine.discarded && second.discarded && window.discarded)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(left.isEmpty, "no output and no temporary file may remain, found \(left)")
    }
}

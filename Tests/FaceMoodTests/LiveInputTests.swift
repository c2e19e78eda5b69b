import Foundation
import Testing
@testable import FaceMood
@testable import TimelineOutputs
import VideoIO

/// Live sources through the library: libavdevice's `lavfi` device playing a sample video at real-time pace
/// (the `realtime` filter), as a camera would deliver it. The command's live inputs (stdin, HTTP, UDP, x11grab,
/// the preview window) are run by scripts/test-live.sh.
@Suite(.serialized) struct LiveInputTests {
    /// A sample looped for ever at its own frame rate (30 fps), its timestamps made continuous across loops.
    static func liveSample() throws -> String {
        "movie=\(try TestPaths.repository("samples/media/single_face.mp4")):loop=0,setpts=N/(FRAME_RATE*TB),realtime"
    }

    static func liveSource(duration: Double?) throws -> FileFrameSource {
        try FileFrameSource(path: try liveSample(), options: .init(input: InputSettings(format: "lavfi"), duration: duration))
    }

    /// The bundled detector, slowed to `delay` seconds a frame: an analysis that cannot keep up.
    struct SlowDetector: FaceDetector {
        let base: HaarFaceDetector
        let delay: Double
        var settings: [DetectorSetting] { base.settings }
        func segmentLength(framesPerSecond: Double?) -> Int { base.segmentLength(framesPerSecond: framesPerSecond) }
        func makeSession() -> any FaceDetectorSession { Session(base: base.makeSession(), delay: delay) }

        final class Session: FaceDetectorSession {
            let base: any FaceDetectorSession
            let delay: Double
            init(base: any FaceDetectorSession, delay: Double) {
                self.base = base
                self.delay = delay
            }
            func detectFaces(in image: GrayImage, previousFace: FaceBox?) -> [FaceBox] {
                Thread.sleep(forTimeInterval: delay)
                return base.detectFaces(in: image, previousFace: previousFace)
            }
        }
    }

    /// Keeps every result, for checks beside the written timeline.
    final class CollectingSink: TimelineSink {
        var results: [FrameResult] = []
        var decoding: DecodingReport?
        func start(_ context: TimelineContext) throws {}
        func write(_ result: FrameResult, frame: VideoFrame) throws { results.append(result) }
        func finish(summary: EmotionSummary, decoding: DecodingReport) throws { self.decoding = decoding }
        func discard() {}
    }

    @Test func aSlowAnalysisDropsFramesCountsThemAndKeepsTheRealClock() throws {
        let folder = try TestPaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fast = try testAnalyzer(mode: .tracking(fullDetectionEvery: .standard))
        let slow = try EmotionAnalyzer(classifier: fast.classifier, detector: SlowDetector(base: fast.detector as! HaarFaceDetector, delay: 0.1),
                                       threads: 1)
        let source = try Self.liveSource(duration: 3)
        #expect(source.sourceDescription.isLive)
        let json = folder.appendingPathComponent("live.json").path
        let collected = CollectingSink()
        let started = Date()
        let summary = try slow.run(source: source, sinks: [collected, JSONTimelineSink(output: try AtomicTextFile(destination: json))])
        let elapsed = Date().timeIntervalSince(started)

        // 3 s of a 30 fps source analysed at 10 frames/s: never behind, so about 3 s, not 9, and a third of the frames.
        #expect(elapsed < 5, "a live analysis must keep pace with its source, took \(elapsed) s for 3 s")
        let rows = collected.results
        #expect((15...45).contains(rows.count), "expected about 30 analysed frames, found \(rows.count)")
        #expect(summary.framesDropped >= 40, "expected about 60 dropped frames, found \(summary.framesDropped)")
        // Every frame decoded is either analysed or counted as dropped.
        #expect(rows.count + summary.framesDropped == (rows.last?.frame ?? -1) + 1)
        #expect(collected.decoding?.framesDropped == summary.framesDropped)
        // Each row keeps its own frame's time on the source's clock, with no backlog.
        for row in rows { #expect(abs(row.time - Double(row.frame) / 30) < 1e-6, "frame \(row.frame) at \(row.time) s") }
        #expect(rows.last.map { $0.time >= 2.7 } == true, "the rows must reach the end of the 3 s, last at \(rows.last?.time ?? 0) s")
        #expect(zip(rows, rows.dropFirst()).contains { $1.frame - $0.frame > 1 })
        #expect(rows.filter { $0.face != nil }.count >= rows.count * 9 / 10)

        let recorded = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        #expect((recorded["decoding"] as? [String: Any])?["frames_dropped"] as? Int == summary.framesDropped)
        // The first frame on the wall clock: within the run, and at the first row's time.
        let decodingRecord = try #require(recorded["decoding"] as? [String: Any])
        let firstUTC = try #require(decodingRecord["first_frame_utc"] as? String)
        let parsed = try #require(ISO8601DateFormatter().date(from: String(firstUTC.prefix(19)) + "Z"))
        #expect(parsed.timeIntervalSince(started) > -1.5 && parsed.timeIntervalSince(started) < 2, "\(firstUTC) vs the run's start \(started)")
        #expect((decodingRecord["first_frame_time_s"] as? NSNumber)?.doubleValue == rows.first?.time)
        #expect((recorded["input"] as? [String: Any])?["live"] as? Bool == true)
        #expect((recorded["frames"] as? [Any])?.count == rows.count)
    }

    /// An analysis far faster than the source keeps (nearly) every frame. The suite runs beside the others, under
    /// the sanitizers too, so a busy moment may cost a frame or two; `make bench`'s `live` section, on a quiet
    /// machine, is where "no frame dropped" is measured.
    @Test func aFastAnalysisKeepsAlmostEveryFrame() throws {
        let analyzer = try testAnalyzer(mode: .tracking(fullDetectionEvery: .standard))
        let collected = CollectingSink()
        let summary = try analyzer.run(source: try Self.liveSource(duration: 2), sinks: [collected])
        #expect(summary.framesDropped <= 3, "dropped \(summary.framesDropped) of 60 frames")
        #expect(collected.results.count + summary.framesDropped == 60)
        #expect(collected.results.map(\.frame) == collected.results.map(\.frame).sorted())
    }

    @Test func anInterruptEndsTheCaptureWithItsOutputsCommitted() throws {
        let folder = try TestPaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let analyzer = try testAnalyzer(mode: .tracking(fullDetectionEvery: .standard))
        let csv = folder.appendingPathComponent("live.csv").path
        let cancellation = Cancellation()
        // The clock starts once the device is open: the first device of a process loads libavdevice, which takes
        // much longer under ThreadSanitizer.
        let source = try Self.liveSource(duration: nil)
        DispatchQueue.global().asyncAfter(deadline: .now() + 1.5) { cancellation.interrupt() }
        let started = Date()
        let summary = try analyzer.run(source: source, sinks: [CSVTimelineSink(output: try AtomicTextFile(destination: csv))],
                                       cancellation: cancellation)
        #expect(Date().timeIntervalSince(started) < 4)
        #expect(summary.frames >= 30)
        #expect(try timelineRows(csv: csv).count == summary.frames)
        // Other suites run beside this one, so only this folder's files are looked at.
        #expect(!TemporaryFiles.inProgress.contains { $0.hasPrefix(folder.path) })
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["live.csv"])
    }

    @Test func aCancelEndsTheCaptureWithNothingWritten() throws {
        let folder = try TestPaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let analyzer = try testAnalyzer(mode: .tracking(fullDetectionEvery: .standard))
        let csv = folder.appendingPathComponent("live.csv").path
        let cancellation = Cancellation()
        let source = try Self.liveSource(duration: nil)
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { cancellation.cancel() }
        #expect(throws: CancellationError.self) {
            try analyzer.run(source: source, sinks: [CSVTimelineSink(output: try AtomicTextFile(destination: csv))], cancellation: cancellation)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func anInterruptCancelsAnAnalysisThatIsNotLive() throws {
        let analyzer = try testAnalyzer(mode: .tracking(fullDetectionEvery: .standard))
        let cancellation = Cancellation()
        cancellation.interrupt()
        #expect(throws: CancellationError.self) {
            try analyzer.run(source: try FileFrameSource(path: try TestPaths.repository("samples/media/single_face.mp4")), sinks: [],
                             cancellation: cancellation)
        }
    }

    @Test func devicesAndOptionsAreCheckedByName() throws {
        #expect(throws: VideoError.cannotOpen(path: "x", reason: "expected an input format or capture device, found no format named 'nosuch' in this FFmpeg build (`ffmpeg -formats` and `ffmpeg -devices` list them)")) {
            try FileFrameSource(path: "x", options: .init(input: InputSettings(format: "nosuch")))
        }
        #expect(throws: VideoError.cannotOpen(path: "testsrc", reason: "expected options of lavfi, its protocol or libavformat, found 'bogus', which none of them knows")) {
            try FileFrameSource(path: "testsrc", options: .init(input: InputSettings(format: "lavfi", options: [InputOption(key: "bogus", value: "1")])))
        }
        // Options the device knows are applied: the test pattern at the size asked for.
        let pattern = try FileFrameSource(path: "testsrc", options: .init(input: InputSettings(format: "lavfi", options: [InputOption(argument: "graph=testsrc=size=320x240:rate=5")!])))
        #expect(pattern.sourceDescription.stream.width == 320 && pattern.sourceDescription.stream.height == 240)
        #expect(pattern.sourceDescription.isLive)
        // A network stream that never sends anything fails after its timeout, naming it.
        let started = Date()
        #expect(throws: VideoError.cannotOpen(path: "udp://127.0.0.1:9", reason: "no data arrived within 0.5 s")) {
            try FileFrameSource(path: "udp://127.0.0.1:9", options: .init(input: InputSettings(timeout: 0.5)))
        }
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(InputOption(argument: "a=b=c") == InputOption(key: "a", value: "b=c"))
        #expect(InputOption(argument: "=x") == nil && InputOption(argument: "novalue") == nil)
    }

    @Test func aDurationEndsAFileToo() throws {
        let analyzer = try testAnalyzer(mode: .tracking(fullDetectionEvery: .standard))
        let source = try FileFrameSource(path: try TestPaths.repository("samples/media/single_face.mp4"), options: .init(duration: 1))
        #expect(!source.sourceDescription.isLive)
        let collected = CollectingSink()
        _ = try analyzer.run(source: source, sinks: [collected])
        #expect(collected.results.count == 30)
        #expect(collected.results.last.map { $0.time < 1 } == true)
    }
}

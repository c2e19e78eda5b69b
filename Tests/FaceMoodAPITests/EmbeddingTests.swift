import FaceMood
import Foundation
import Testing
import TimelineOutputs

/// The library as another Swift program uses it: only public API, no `@testable`.
@Suite struct EmbeddingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func sample(_ name: String) -> String { root.appendingPathComponent("samples/media/" + name).path }

    /// The `facemood` binary built beside the test runner.
    static func runTool(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("facemood")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func waitUntil(_ condition: () -> Bool, seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return condition()
    }

    @Test func stoppingTheIterationStopsTheAnalysisAndClosesTheReader() async throws {
        let analyzer = try EmotionAnalyzer()
        let source = try FileFrameSource(path: Self.sample("WolfgangLanger_Pexels.mp4"))
        var seen: [Int] = []
        for try await result in analyzer.results(for: source) {
            seen.append(result.frame)
            if seen.count == 12 { break }
        }
        #expect(seen == Array(0..<12))
        #expect(Self.waitUntil { source.isClosed }, "the file and its decoder are released once the consumer stops")
    }

    /// An analyzer keeps its threads' working memory between analyses; what it finds must not depend on what it
    /// analysed before, nor on the order its threads give that memory back.
    @Test func anAnalyzerUsedAgainFindsWhatAFreshOneFinds() async throws {
        func results(_ analyzer: EmotionAnalyzer, _ video: String) async throws -> [FrameResult] {
            var all: [FrameResult] = []
            for try await result in try analyzer.results(forFile: Self.sample(video)) { all.append(result) }
            return all
        }
        let used = try EmotionAnalyzer(threads: 2)
        let first = try await results(used, "single_face.mp4")
        // Another frame size and another face in between.
        _ = try await results(used, "face_noface.mov")
        let again = try await results(used, "single_face.mp4")
        let fresh = try await results(try EmotionAnalyzer(threads: 2), "single_face.mp4")
        #expect(first.count == 72 && first.contains { $0.face != nil })
        #expect(again == first)
        #expect(fresh == first)

        // A session made after those analyses starts without their last face, as one from a new analyzer does.
        _ = try await results(used, "WolfgangLanger_Pexels.mp4")
        let usedSession = used.makeSession(), freshSession = try EmotionAnalyzer(threads: 2).makeSession()
        let reader = try FileFrameSource(path: Self.sample("WolfgangLanger_Pexels.mp4"))
        var compared = 0
        while compared < 30, let frame = try reader.nextFrame() {
            #expect(try usedSession.analyze(frame: frame) == freshSession.analyze(frame: frame))
            compared += 1
        }
        #expect(compared == 30)
    }

    @Test func cancellingTheConsumingTaskStopsTheAnalysis() async throws {
        let analyzer = try EmotionAnalyzer()
        let source = try FileFrameSource(path: Self.sample("WolfgangLanger_Pexels.mp4"))
        let started = AsyncStream<Void>.makeStream()
        let task = Task {
            var count = 0
            for try await _ in analyzer.results(for: source) {
                count += 1
                if count == 1 { started.continuation.yield() }
            }
            return count
        }
        for await _ in started.stream { break }
        task.cancel()
        let outcome = await task.result
        switch outcome {
        case .success(let count): #expect(count < 472, "cancelled before the end (\(count) frames)")
        case .failure(let error): #expect(error is CancellationError)
        }
        #expect(Self.waitUntil { source.isClosed })
    }

    @Test func streamedResultsAreTheCommandsRows() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = folder.appendingPathComponent("rows.csv").path
        let input = Self.sample("face_noface.mov")
        #expect(try Self.runTool(["analyze", input, "--csv", csv, "--no-json", "--quiet"]) == 0)
        let written = try TimelineReader.read(file: csv)

        let analyzer = try EmotionAnalyzer()
        var streamed: [TimelineRow] = []
        var summary = EmotionSummary(labels: analyzer.labels)
        for try await result in try analyzer.results(forFile: input) {
            streamed.append(TimelineRow(result))
            summary.add(result)
        }
        #expect(written.labels == analyzer.labels)
        #expect(streamed.count == written.rows.count)
        #expect(streamed == written.rows, "the library's defaults are the command's, and its results are the rows it writes")
        #expect(summary == (try TimelineReader.summary(ofFile: csv)))
    }

    @Test func oneImageFromPixels() throws {
        let analyzer = try EmotionAnalyzer()
        // Pixels a caller decoded itself (here through the library's own reader, for want of another decoder).
        let source = try FileFrameSource(path: Self.sample("single_face.jpg"))
        try source.prepare(color: true)
        let frame = try #require(try source.nextFrame())
        source.close()
        let gray = try GrayImage(width: frame.gray.width, height: frame.gray.height, pixels: frame.gray.pixels)
        let result = try analyzer.analyze(gray)
        let face = try #require(result.face, "a face in single_face.jpg")
        #expect(result.faces.first == face.box)
        #expect(face.probabilities.count == 7 && abs(face.probabilities.reduce(0, +) - 1) < 1e-4)
        #expect(face.emotion == face.classification.labels[face.probabilities.firstIndex(of: face.probabilities.max()!)!])

        let color = try #require(frame.color)
        let rgb = try RGBImage(width: color.width, height: color.height, pixels: color.pixels)
        let fromColor = try #require(try analyzer.analyze(rgb).face)
        #expect(fromColor.box.intersectionOverUnion(face.box) > 0.8, "BT.601 luma finds the same face")
    }

    @Test func framesPushedByTheCallerAreAnalysedInOrder() async throws {
        let analyzer = try EmotionAnalyzer(threads: 2)
        let decoded = try FileFrameSource(path: Self.sample("single_face.mp4"))
        var frames: [VideoFrame] = []
        while let frame = try decoded.nextFrame() {
            frames.append(try VideoFrame(index: frame.index, time: frame.time, duration: frame.duration, gray: frame.gray))
        }
        var fromFile: [FrameResult] = []
        for try await result in try analyzer.results(forFile: Self.sample("single_face.mp4")) { fromFile.append(result) }
        var pushed: [FrameResult] = []
        for try await result in analyzer.results(for: PushedFrameSource(name: "frames", frames: frames)) { pushed.append(result) }
        #expect(pushed == fromFile)
    }

    @Test func badPixelsAndBadFilesAreErrorsWithTheirOneLineMessage() throws {
        #expect(throws: ImageError.self) { try GrayImage(width: 4, height: 4, pixels: [1, 2, 3]) }
        #expect(throws: ImageError.self) { try GrayImage(width: 0, height: 4, pixels: []) }
        #expect(throws: ImageError.self) { try RGBImage(width: 100_000, height: 100_000, pixels: []) }
        do {
            _ = try FileFrameSource(path: "/nonexistent/clip.mp4")
            Issue.record("opening a missing file succeeded")
        } catch {
            #expect(error.localizedDescription
                == "/nonexistent/clip.mp4: expected a video or image file, but FFmpeg cannot open it: No such file or directory")
        }
        #expect(throws: AnalysisError.self) { try EmotionAnalyzer(threads: 0) }
        #expect(throws: DetectorParameterError.self) { try HaarFaceDetector.bundled(parameters: .init(scaleFactor: 1.0000001)) }
    }

    @Test func cancellingARunDiscardsEveryOutput() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let analyzer = try EmotionAnalyzer()
        let cancellation = Cancellation()
        let sinks: [any TimelineSink] = [
            CSVTimelineSink(output: try AtomicTextFile(destination: folder.appendingPathComponent("a.csv").path)),
            JSONTimelineSink(output: try AtomicTextFile(destination: folder.appendingPathComponent("a.json").path)),
        ]
        #expect(throws: CancellationError.self) {
            try analyzer.run(source: try FileFrameSource(path: Self.sample("WolfgangLanger_Pexels.mp4")), sinks: sinks,
                             cancellation: cancellation, progress: { done, _ in if done == 30 { cancellation.cancel() } })
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        #expect(!TemporaryFiles.inProgress.contains { $0.hasPrefix(folder.path) }, "nothing of this run is left to clean up")
    }
}

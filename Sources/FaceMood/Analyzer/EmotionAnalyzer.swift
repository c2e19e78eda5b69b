import Foundation
import Imaging
import VideoIO

/// The analysis: frames from a source, faces from a detector, the largest face's emotion from a
/// classifier, results to any number of sinks (or to the caller, as an asynchronous sequence).
///
/// One analyzer serves any number of sources, one after another or at once; it holds no per-source state, only the
/// working memory of its threads between analyses.
///
/// ```swift
/// let analyzer = try EmotionAnalyzer()                 // the bundled model and cascade
/// for try await result in try analyzer.results(forFile: "interview.mp4") {
///     print(result.time, result.face?.emotion ?? "no face")
/// }
/// ```
public final class EmotionAnalyzer: Sendable {
    /// The classifier; nil for an analysis that only detects (see `detectionOnly`).
    public let classifier: EmotionClassifier?
    public let detector: any FaceDetector
    /// Analysis threads; decoding and writing run beside them.
    public let threads: Int
    /// The classifier as the outputs record it, with its file's SHA-256 (nil when only detecting).
    public let modelDescription: ModelDescription?
    /// The analysis threads' working memory, kept from one analysis to the next.
    private let frameAnalyzers: FrameAnalyzerPool

    /// The CLI's default: one analysis thread per CPU this process may use (see `AvailableCPUs`).
    public static var defaultThreads: Int { AvailableCPUs.count }
    /// More threads than this are refused: each holds its own working memory and frames in flight.
    public static let maximumThreads = 256

    /// An analyzer with `classifier` and `detector`; nil takes the bundled emotion model and the bundled
    /// Haar cascade in the default (tracking) search mode — the same defaults as the `facemood` command.
    /// `alignFaces` turns each crop so the eyes are level, when the detector gives eye keypoints (BlazeFace).
    public convenience init(classifier: EmotionClassifier? = nil, detector: (any FaceDetector)? = nil,
                            threads: Int = EmotionAnalyzer.defaultThreads, alignFaces: Bool = false) throws {
        try self.init(classifying: try classifier ?? EmotionClassifier.bundled(), detector: try detector ?? HaarFaceDetector.bundled(),
                      threads: threads, alignFaces: alignFaces)
    }

    /// Whether crops are turned so the eyes are level (see `init`).
    public let alignsFaces: Bool

    /// An analyzer that finds faces but does not classify them: results list `faces`, `face` stays nil.
    public static func detectionOnly(detector: any FaceDetector, threads: Int = EmotionAnalyzer.defaultThreads) throws -> EmotionAnalyzer {
        try EmotionAnalyzer(classifying: nil, detector: detector, threads: threads)
    }

    private init(classifying classifier: EmotionClassifier?, detector: any FaceDetector, threads: Int, alignFaces: Bool = false) throws {
        guard (1...Self.maximumThreads).contains(threads) else {
            throw AnalysisError("threads: expected 1 to \(Self.maximumThreads), found \(threads)")
        }
        self.classifier = classifier
        self.detector = detector
        self.threads = threads
        alignsFaces = alignFaces
        frameAnalyzers = FrameAnalyzerPool(capacity: threads) {
            FrameAnalyzer(detector: detector.makeSession(), classifier: classifier.map { EmotionClassifier.Session(classifier: $0) },
                          alignsFaces: alignFaces)
        }
        modelDescription = try classifier.map { classifier in
            ModelDescription(path: classifier.modelPath, sha256: try SHA256.hex(ofFile: classifier.modelPath), labels: classifier.profile.labels,
                             inputWidth: classifier.inputWidth, inputHeight: classifier.inputHeight,
                             inputRange: classifier.profile.inputRange, margin: classifier.profile.margin, alignsFaces: alignFaces)
        }
    }

    /// The labels results are given in (empty when only detecting).
    public var labels: [String] { classifier?.profile.labels ?? [] }

    // MARK: - Streams of results

    /// The results of every frame of `source`, in order. Analysis starts when iteration starts and runs ahead
    /// of the consumer by a few frames at most; when the consumer stops iterating (or its task is cancelled),
    /// decoding and the workers stop and the source is closed. Iterate once: a source is read only once.
    public func results(for source: any FrameSource) -> AnalysisResults {
        AnalysisResults(analyzer: self, source: UncheckedBox(source))
    }

    /// The results of every frame of a video or image file.
    public func results(forFile path: String) throws -> AnalysisResults {
        results(for: try FileFrameSource(path: path))
    }

    // MARK: - Results to sinks

    /// Reports frames done (and the container's frame count when known) after each frame.
    public typealias Progress = (_ done: Int, _ total: Int?) -> Void

    /// Analyses every frame of `source` into `sinks` and returns the summary. The sinks' outputs are
    /// committed together when every frame was analysed and written, and discarded on any error or on
    /// cancellation. The source is closed when this returns.
    public func run(source: any FrameSource, sinks: [any TimelineSink], cancellation: Cancellation = Cancellation(),
                    progress: Progress? = nil, clock: StageClock? = nil) throws -> EmotionSummary {
        defer { source.close() }
        var summary = EmotionSummary(labels: labels)
        let total = source.sourceDescription.stream.frameCount
        do {
            try source.prepare(color: sinks.contains { $0.needsColor } || detector.needsColor)
            let context = self.context(for: source.sourceDescription)
            for sink in sinks { try sink.start(context) }
            let live = try analyze(source, cancellation: cancellation, clock: clock) { result, frame in
                summary.add(result)
                for sink in sinks {
                    // Drawing and encoding the overlay is a stage of its own in `make bench`.
                    try clock.measure(sink.needsColor ? .overlay : .write) { try sink.write(result, frame: frame) }
                }
                progress?(result.frame + 1, total)
            }
            guard summary.frames > 0 else {
                throw AnalysisError("\(source.sourceDescription.path): expected at least one video frame, found none (the stream holds no decodable picture)")
            }
            summary.framesDropped = live.dropped
            let decoding = DecodingReport(timestampDiscontinuities: source.timestampDiscontinuities, framesLeftOut: source.framesLeftOut,
                                          framesDropped: live.dropped, liveClock: live.clock)
            try finishTogether(sinks, summary: summary, decoding: decoding)
            for sink in sinks { try sink.commit() }
        } catch {
            for sink in sinks { sink.discard() }
            throw error
        }
        return summary
    }

    /// What the sinks record about this analysis of `source`.
    public func context(for source: SourceDescription) -> TimelineContext {
        TimelineContext(source: source, model: modelDescription, detector: detector.settings)
    }


    /// Analyses every frame of `source` (of a live source, the newest whenever the analysis is free) in order;
    /// returns the number of live frames dropped and a live source's first frame on the wall clock.
    @discardableResult
    func analyze(_ source: any FrameSource, cancellation: Cancellation, clock: StageClock?,
                 consume: (AnalysisPipeline.Analyzed) throws -> Void) throws -> (dropped: Int, clock: LiveClock?) {
        let description = source.sourceDescription
        let segmentLength = detector.segmentLength(framesPerSecond: description.sampling?.framesPerSecond ?? description.stream.fps)
        if description.isLive {
            let analyzer = frameAnalyzers.take()
            defer { frameAnalyzers.giveBack(analyzer) }
            return try LivePipeline.run(source: source, segmentLength: segmentLength, cancellation: cancellation, clock: clock,
                                        analyzer: analyzer, consume: consume)
        }
        try source.prepareDecoding(besideAnalysisThreads: threads)
        try AnalysisPipeline.run(source: source, segmentLength: segmentLength, workers: threads, cancellation: cancellation,
                                 clock: clock, analyzers: frameAnalyzers, consume: consume)
        return (0, nil)
    }

    // MARK: - One frame at a time

    /// Analyses one image on its own (a full search, as for the first frame of a video).
    public func analyze(_ image: GrayImage) throws -> FrameResult {
        try analyzeAlone(VideoFrame(index: 0, timestamp: nil, time: 0, duration: 0, gray: image, color: nil))
    }

    /// Analyses one RGB image; it is converted to gray as OpenCV's `cvtColor(RGB2GRAY)` does (and a detector
    /// that reads colour gets the colour).
    public func analyze(_ image: RGBImage) throws -> FrameResult {
        try analyzeAlone(VideoFrame(index: 0, timestamp: nil, time: 0, duration: 0, gray: image.grayscale(), color: image))
    }

    private func analyzeAlone(_ frame: VideoFrame) throws -> FrameResult {
        let analyzer = frameAnalyzers.take()
        defer { frameAnalyzers.giveBack(analyzer) }
        return try analyzer.analyze(frame)
    }

    /// Working memory for analysing frames one at a time on the caller's thread, for programs that decode
    /// themselves. Consecutive frames given to one session search near the previous face, as a video does.
    public func makeSession() -> Session {
        // The session keeps its analyzer for good; the pool makes another when it runs out.
        Session(analyzer: frameAnalyzers.take(), segmentLength: detector.segmentLength(framesPerSecond: nil))
    }

    public final class Session {
        private let analyzer: FrameAnalyzer
        private let segmentLength: Int
        private var framesInSegment = 0

        init(analyzer: FrameAnalyzer, segmentLength: Int) {
            self.analyzer = analyzer
            self.segmentLength = segmentLength
        }

        public func analyze(frame: VideoFrame) throws -> FrameResult {
            if framesInSegment == segmentLength {
                analyzer.startSegment()
                framesInSegment = 0
            }
            framesInSegment += 1
            return try analyzer.analyze(frame)
        }
    }
}

/// An option or argument outside what the analysis accepts.
public struct AnalysisError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}

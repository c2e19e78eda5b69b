import Foundation
import VideoIO

/// Where results go: a CSV or JSON timeline, an annotated video, a stream of lines on stdout…
///
/// The analysis calls `start` once, `write` for every frame in order, then — when every frame was
/// written — `finish` on every sink of the run, and only when all of them finished, `commit` on every
/// sink. On any failure or cancellation it calls `discard` instead, so the outputs of one input appear
/// together or not at all. A new kind of output is a new type conforming to this protocol.
public protocol TimelineSink: AnyObject {
    /// Whether `write` needs the frames' colour pixels.
    var needsColor: Bool { get }
    func start(_ context: TimelineContext) throws
    /// One frame's result at full precision, with the frame it came from.
    func write(_ result: FrameResult, frame: VideoFrame) throws
    /// Writes what follows the last frame and makes the output complete, but not yet visible.
    func finish(summary: EmotionSummary, decoding: DecodingReport) throws
    /// Whether `finish` may run on another thread than `write`, at the same time as other sinks' finishes (a file
    /// that ends in an `fsync`); false by default, so a sink bound to its thread (a window) finishes on the calling one.
    var finishesConcurrently: Bool { get }
    /// Makes the output visible under its final name.
    func commit() throws
    /// Removes anything written so far; safe to call at any time and more than once.
    func discard()
}

/// Finishes every sink: those that finish concurrently all at once (a file's finish ends in waiting for the disk,
/// `fsync`, and those waits overlap), then the others on the calling thread. Throws the error of the first sink in
/// order that failed, after every finish has returned.
func finishTogether(_ sinks: [any TimelineSink], summary: EmotionSummary, decoding: DecodingReport) throws {
    let failures = SinkFailures(count: sinks.count)
    let shared = UncheckedBox(sinks)
    @Sendable func finish(_ index: Int) {
        do {
            try shared.value[index].finish(summary: summary, decoding: decoding)
        } catch {
            failures.record(error, at: index)
        }
    }
    let concurrent = sinks.indices.filter { sinks[$0].finishesConcurrently }
    let together = concurrent.count > 1 ? concurrent : []
    DispatchQueue.concurrentPerform(iterations: together.count) { finish(together[$0]) }
    for index in sinks.indices where !together.contains(index) { finish(index) }
    if let failure = failures.first { throw failure }
}

private final class SinkFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error?]

    init(count: Int) { errors = Array(repeating: nil, count: count) }

    func record(_ error: Error, at index: Int) { lock.withLock { errors[index] = error } }

    var first: Error? { lock.withLock { errors.lazy.compactMap { $0 }.first } }
}

extension TimelineSink {
    public var needsColor: Bool { false }
    public var finishesConcurrently: Bool { false }
    public func commit() throws {}
}

/// What the outputs record about how a timeline was made.
public struct TimelineContext: Sendable {
    public var source: SourceDescription
    /// The classifier (nil when the analysis only detects).
    public var model: ModelDescription?
    public var detector: [DetectorSetting]

    /// The classifier's labels in output order (empty when the analysis only detects).
    public var labels: [String] { model?.labels ?? [] }

    public init(source: SourceDescription, model: ModelDescription?, detector: [DetectorSetting]) {
        self.source = source
        self.model = model
        self.detector = detector
    }
}

/// The classifier as the JSON timeline's `"model"` object describes it.
public struct ModelDescription: Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var labels: [String]
    public var inputWidth: Int
    public var inputHeight: Int
    public var inputRange: ModelProfile.InputRange
    public var margin: Int
    /// Crops turned so the eyes are level (`--align`).
    public var alignsFaces: Bool = false
}

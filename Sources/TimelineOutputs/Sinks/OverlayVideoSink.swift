import FaceMood
import Imaging
import Overlay
import VideoIO

/// The annotated copy of the input: each frame drawn on (box, label, probability bars), re-encoded with
/// libx264, every frame at its own presentation time, the source's audio carried over. The destination `-`
/// is standard output, as Matroska (which needs no seeking), for `| ffplay -`.
public final class OverlayVideoSink: TimelineSink {
    public let destination: String
    private let options: VideoWriter.Options
    private let notify: (String) -> Void
    private var partial: PartialPath?
    private var writer: VideoWriter?
    private var drawer: EmotionOverlay?
    private var secondsPerTick = 0.0

    public var needsColor: Bool { true }

    /// The file extensions an overlay may have (each names its container).
    public static let fileExtensions = VideoWriter.containerExtensions

    /// `notify` hears what the user should know that is not an error (audio re-encoded, say).
    public init(destination: String, options: VideoWriter.Options = VideoWriter.Options(), notify: @escaping (String) -> Void = { _ in }) {
        self.destination = destination
        self.options = options
        self.notify = notify
    }

    /// The destination that is standard output.
    public static let standardOutput = "-"

    public func start(_ context: TimelineContext) throws {
        let toStandardOutput = destination == Self.standardOutput
        let partial = toStandardOutput ? nil : try PartialPath(destination: destination)
        self.partial = partial
        let source = context.source
        let timeBase = source.timeBase ?? Rational(1, 1_000_000)
        let writer = try VideoWriter(path: partial?.temporary ?? "pipe:1", formatName: toStandardOutput ? "stdout.mkv" : destination,
                                     width: source.stream.width, height: source.stream.height, timeBase: timeBase,
                                     frameRate: source.averageFrameRate, audioSource: source.audioSource, options: options,
                                     displayName: toStandardOutput ? "stdout" : destination)
        self.writer = writer
        drawer = EmotionOverlay(labels: context.labels, font: try FontRenderer())
        secondsPerTick = Double(timeBase.numerator) / Double(timeBase.denominator)
        for notice in writer.notices { notify("\(destination): \(notice)") }
    }

    public func write(_ result: FrameResult, frame: VideoFrame) throws {
        guard var image = frame.color, let writer, let drawer else { return }
        drawer.draw(EmotionOverlay.Annotation(result), on: &image)
        try writer.write(image, timestamp: frame.timestamp ?? Int64((frame.time / secondsPerTick).rounded()))
    }

    public func finish(summary: EmotionSummary, decoding: DecodingReport) throws {
        try writer?.finish()
        writer = nil
    }

    public func commit() throws {
        try partial?.commit()
    }

    public func discard() {
        writer = nil
        partial?.discard()
    }
}

extension EmotionOverlay.Annotation {
    /// What the overlay draws for `result`: the analysed face's box, emotion and probabilities, or nothing.
    init(_ result: FrameResult) {
        self.init(box: result.face?.box, emotion: result.face?.emotion, probabilities: result.face?.probabilities.map(Double.init))
    }
}

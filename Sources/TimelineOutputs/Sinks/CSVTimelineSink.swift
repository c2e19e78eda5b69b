import FaceMood
import VideoIO

/// The timeline as CSV: `frame,time_s,duration_s,faces,x,y,w,h,emotion,confidence,<labels…>`, one row per
/// frame; box, emotion, confidence and probabilities empty without a face; numbers to six decimals. With
/// smoothing, `smoothed_emotion,smoothed_<label>…` follow (empty without a face in the window).
public final class CSVTimelineSink: TimelineSink {
    public static let fixedColumns = TimelineColumns.fixed

    private let output: any TextDestination
    private let smoothing: TimelineSmoothing?
    private var window: SmoothingWindow<FrameResult>?
    private var labelCount = 0
    /// A live timeline is flushed after every row, so the rows are on disk while the capture runs.
    private var live = false

    public init(output: any TextDestination, smoothing: TimelineSmoothing? = nil) {
        self.output = output
        self.smoothing = smoothing
    }

    public func start(_ context: TimelineContext) throws {
        labelCount = context.labels.count
        live = context.source.isLive
        window = smoothing.map { SmoothingWindow(smoothing: $0, labels: context.labels) }
        try output.write(CSV.line(Self.fixedColumns + context.labels + (smoothing.map { _ in TimelineSmoothing.columns(labels: context.labels) } ?? [])) + "\n")
    }

    public func write(_ result: FrameResult, frame: VideoFrame) throws {
        if let window {
            for (ready, smoothed) in window.add(result) { try output.write(Self.line(ready, labelCount: labelCount, smoothed: .some(smoothed)) + "\n") }
        } else {
            try output.write(Self.line(result, labelCount: labelCount, smoothed: nil) + "\n")
        }
        if live { try output.flush() }
    }

    public func finish(summary: EmotionSummary, decoding: DecodingReport) throws {
        for (ready, smoothed) in window?.finish() ?? [] { try output.write(Self.line(ready, labelCount: labelCount, smoothed: .some(smoothed)) + "\n") }
        try output.finish()
    }

    public func commit() throws { try output.commit() }
    public func discard() { output.discard() }
    /// Its output is a file or standard output, written by no other sink.
    public var finishesConcurrently: Bool { true }

    /// `smoothed` is nil without smoothing, `.some(nil)` for a row with no face in its window.
    static func line(_ result: FrameResult, labelCount: Int, smoothed: SmoothedValues??) -> String {
        var fields = [String(result.frame), CSV.decimal(result.time), CSV.decimal(result.duration), String(result.faces.count)]
        if let face = result.face {
            let box = face.box
            fields += [String(box.x), String(box.y), String(box.width), String(box.height), CSV.field(face.emotion), CSV.decimal(face.confidence)]
            fields += face.probabilities.map { CSV.decimal($0) }
        } else {
            fields += [String](repeating: "", count: 6 + labelCount)
        }
        if let smoothed {
            if let smoothed {
                fields += [CSV.field(smoothed.emotion)] + smoothed.probabilities.map { CSV.decimal($0) }
            } else {
                fields += [String](repeating: "", count: 1 + labelCount)
            }
        }
        return fields.joined(separator: ",")
    }
}

extension SmoothingWindow where Payload == FrameResult {
    func add(_ result: FrameResult) -> [(FrameResult, SmoothedValues?)] {
        add(time: result.time, duration: result.duration, probabilities: result.face?.probabilities.map(Double.init), payload: result)
    }
}

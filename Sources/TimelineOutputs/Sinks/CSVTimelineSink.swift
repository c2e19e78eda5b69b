import FaceMood
import VideoIO

/// The timeline as CSV: `frame,time_s,duration_s,faces,x,y,w,h,emotion,confidence,<labels…>`, one row per
/// frame; box, emotion, confidence and probabilities empty without a face; numbers to six decimals.
public final class CSVTimelineSink: TimelineSink {
    public static let fixedColumns = TimelineColumns.fixed

    private let output: any TextDestination
    private var labelCount = 0
    /// A live timeline is flushed after every row, so the rows are on disk while the capture runs.
    private var live = false

    public init(output: any TextDestination) {
        self.output = output
    }

    public func start(_ context: TimelineContext) throws {
        labelCount = context.labels.count
        live = context.source.isLive
        try output.write(CSV.line(Self.fixedColumns + context.labels) + "\n")
    }

    public func write(_ result: FrameResult, frame: VideoFrame) throws {
        try output.write(Self.line(result, labelCount: labelCount) + "\n")
        if live { try output.flush() }
    }

    public func finish(summary: EmotionSummary, decoding: DecodingReport) throws { try output.finish() }
    public func commit() throws { try output.commit() }
    public func discard() { output.discard() }

    static func line(_ result: FrameResult, labelCount: Int) -> String {
        var fields = [String(result.frame), CSV.decimal(result.time), CSV.decimal(result.duration), String(result.faces.count)]
        if let face = result.face {
            let box = face.box
            fields += [String(box.x), String(box.y), String(box.width), String(box.height), CSV.field(face.emotion), CSV.decimal(face.confidence)]
            fields += face.probabilities.map { CSV.decimal($0) }
        } else {
            fields += [String](repeating: "", count: 6 + labelCount)
        }
        return fields.joined(separator: ",")
    }
}

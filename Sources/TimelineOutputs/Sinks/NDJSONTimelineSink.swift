import FaceMood
import VideoIO

/// One JSON object per frame and line (the JSON timeline's frame object), written as each frame is
/// analysed, so that `| jq` or `tail -f` sees it at once when the destination is standard output.
public final class NDJSONTimelineSink: TimelineSink {
    private let output: any TextDestination
    private var labels: [String] = []

    public init(output: any TextDestination) {
        self.output = output
    }

    public func start(_ context: TimelineContext) throws {
        labels = context.labels
    }

    public func write(_ result: FrameResult, frame: VideoFrame) throws {
        try output.write(JSONTimelineSink.frameObject(result, labels: labels) + "\n")
    }

    public func finish(summary: EmotionSummary, decoding: DecodingReport) throws { try output.finish() }
    public func commit() throws { try output.commit() }
    public func discard() { output.discard() }
}

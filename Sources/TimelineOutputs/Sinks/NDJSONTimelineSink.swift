import FaceMood
import VideoIO

/// One JSON object per frame and line (the JSON timeline's frame object), written as each frame is
/// analysed, so that `| jq` or `tail -f` sees it at once when the destination is standard output.
/// With smoothing, each line is written T/2 late, with its `"smoothed"` member.
public final class NDJSONTimelineSink: TimelineSink {
    private let output: any TextDestination
    private let smoothing: TimelineSmoothing?
    private var window: SmoothingWindow<FrameResult>?
    private var labels: [String] = []

    public init(output: any TextDestination, smoothing: TimelineSmoothing? = nil) {
        self.output = output
        self.smoothing = smoothing
    }

    public func start(_ context: TimelineContext) throws {
        labels = context.labels
        window = smoothing.map { SmoothingWindow(smoothing: $0, labels: context.labels) }
    }

    public func write(_ result: FrameResult, frame: VideoFrame) throws {
        if let window {
            for (ready, smoothed) in window.add(result) { try writeLine(ready, smoothed: .some(smoothed)) }
        } else {
            try writeLine(result, smoothed: nil)
        }
    }

    private func writeLine(_ result: FrameResult, smoothed: SmoothedValues??) throws {
        try output.write(JSONTimelineSink.frameObject(result, labels: labels, smoothed: smoothed) + "\n")
    }

    public func finish(summary: EmotionSummary, decoding: DecodingReport) throws {
        for (ready, smoothed) in window?.finish() ?? [] { try writeLine(ready, smoothed: .some(smoothed)) }
        try output.finish()
    }
    public func commit() throws { try output.commit() }
    public func discard() { output.discard() }
    /// Its output is a file or standard output, written by no other sink.
    public var finishesConcurrently: Bool { true }
}

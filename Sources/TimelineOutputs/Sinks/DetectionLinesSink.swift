import FaceMood
import VideoIO

/// One JSON line per frame with every face found, as `facemood detect` prints them:
/// `{"frame":0,"time_s":0.000000,"faces":[[x,y,w,h],…]}`, boxes largest first.
public final class DetectionLinesSink: TimelineSink {
    private let output: any TextDestination

    public init(output: any TextDestination) {
        self.output = output
    }

    public func start(_ context: TimelineContext) throws {}

    public func write(_ result: FrameResult, frame: VideoFrame) throws {
        try output.write(Self.line(result) + "\n")
    }

    public func finish(summary: EmotionSummary, decoding: DecodingReport) throws { try output.finish() }
    public func commit() throws { try output.commit() }
    public func discard() { output.discard() }

    public static func line(_ result: FrameResult) -> String {
        let boxes = result.faces.map { "[\($0.x),\($0.y),\($0.width),\($0.height)]" }.joined(separator: ",")
        return "{\"frame\":\(result.frame),\"time_s\":\(CSV.decimal(result.time)),\"faces\":[\(boxes)]}"
    }
}

import FaceMood
import VideoIO

/// One JSON line per frame with every face found, as `facemood detect` prints them:
/// `{"frame":0,"time_s":0.000000,"faces":[[x,y,w,h],…]}`, boxes largest first; detectors that give them add
/// `"scores":[…]` and `"keypoints":[[[x,y],…],…]` in the same order.
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
    /// Its output is a file or standard output, written by no other sink.
    public var finishesConcurrently: Bool { true }

    public static func line(_ result: FrameResult) -> String {
        let boxes = result.faces.map { "[\($0.x),\($0.y),\($0.width),\($0.height)]" }.joined(separator: ",")
        var line = "{\"frame\":\(result.frame),\"time_s\":\(CSV.decimal(result.time)),\"faces\":[\(boxes)]"
        if result.detections.contains(where: { $0.score != nil }) {
            line += ",\"scores\":" + JSONText.array(result.detections.map { $0.score.map { CSV.decimal($0) } ?? "null" })
        }
        if result.detections.contains(where: { !$0.keypoints.isEmpty }) {
            line += ",\"keypoints\":" + JSONText.array(result.detections.map { JSONTimelineSink.points($0.keypoints) })
        }
        return line + "}"
    }
}

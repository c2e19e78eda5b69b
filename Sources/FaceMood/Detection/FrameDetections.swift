/// One frame's faces, as `facemood detect` prints them.
public struct FrameDetections: Sendable, Equatable {
    public let frame: Int
    public let time: Double
    public let faces: [FaceBox]

    public init(frame: VideoFrame, faces: [FaceBox]) {
        self.frame = frame.index
        time = frame.time
        self.faces = faces
    }

    /// `{"frame":0,"time_s":0.000000,"faces":[[x,y,w,h],…]}`
    public var jsonLine: String {
        let boxes = faces.map { "[\($0.x),\($0.y),\($0.width),\($0.height)]" }.joined(separator: ",")
        return "{\"frame\":\(frame),\"time_s\":\(CSV.decimal(time)),\"faces\":[\(boxes)]}"
    }
}

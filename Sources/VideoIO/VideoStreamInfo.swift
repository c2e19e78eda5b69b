/// What the container says about the chosen video stream, in display orientation.
public struct VideoStreamInfo: Sendable, Equatable, Codable {
    /// The demuxer's name for the container, narrowed to the file's extension when the demuxer lists it
    /// (libavformat names one demuxer "mov,mp4,m4a,3gp,3g2,mj2").
    public var container: String
    public var codec: String
    /// Width and height after rotation, as a viewer shows the video.
    public var width: Int
    public var height: Int
    /// Clockwise rotation applied to the coded frames (0, 90, 180, 270).
    public var rotation: Int
    /// Average frames per second, or nil when the container does not say.
    public var fps: Double?
    /// Stream duration in seconds (the container's when the stream has none), or nil when unknown.
    public var durationSeconds: Double?
    /// Frame count from the container's index, or nil when it does not store one.
    public var frameCount: Int?
    /// Index of the stream within the container.
    public var streamIndex: Int
    public var pixelFormat: String

    public init(container: String, codec: String, width: Int, height: Int, rotation: Int, fps: Double?, durationSeconds: Double?,
                frameCount: Int?, streamIndex: Int, pixelFormat: String) {
        self.container = container
        self.codec = codec
        self.width = width
        self.height = height
        self.rotation = rotation
        self.fps = fps
        self.durationSeconds = durationSeconds
        self.frameCount = frameCount
        self.streamIndex = streamIndex
        self.pixelFormat = pixelFormat
    }

    enum CodingKeys: String, CodingKey {
        case container, codec, width, height, rotation, fps
        case durationSeconds = "duration_s"
        case frameCount = "frames"
        case streamIndex = "stream_index"
        case pixelFormat = "pixel_format"
    }
}

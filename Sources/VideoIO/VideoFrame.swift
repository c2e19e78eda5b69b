/// One decoded frame in display orientation, with its presentation time.
public struct VideoFrame: Sendable {
    /// Position in decoding output order, from 0.
    public let index: Int
    /// The best-effort timestamp in the stream's time base, or nil when FFmpeg could not guess one.
    public let timestamp: Int64?
    /// Seconds since the stream's start time.
    public let time: Double
    /// Seconds until the next frame; for the last frame, the stream's average frame duration.
    public internal(set) var duration: Double
    public let gray: GrayImage
    /// Present only when the reader was asked for colour.
    public let color: RGBImage?
}

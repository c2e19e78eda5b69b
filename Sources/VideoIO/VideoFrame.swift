import Imaging

/// One decoded frame in display orientation, with its presentation time.
public struct VideoFrame: Sendable {
    /// Position in decoding output order, from 0.
    public let index: Int
    /// The presentation timestamp in the source's time base, or nil when there is none (frames a caller
    /// decoded itself, or a stream whose frames carry no time).
    public let timestamp: Int64?
    /// Seconds on the file's clock: the presentation time minus the file's start time.
    public let time: Double
    /// Seconds until the next frame; for the last frame, the stream's average frame duration.
    public var duration: Double
    public let gray: GrayImage
    /// Present only when the source was asked for colour; the same size as `gray`.
    public let color: RGBImage?
    /// When the decoder handed the frame out (`DispatchTime` nanoseconds), for latency measurements; nil for
    /// frames a caller made.
    public let decodedAt: UInt64?

    /// A frame made by the caller. `color`, when given, must have `gray`'s size.
    public init(index: Int, time: Double, duration: Double, gray: GrayImage, color: RGBImage? = nil, timestamp: Int64? = nil) throws {
        guard time.isFinite, duration.isFinite, duration >= 0 else {
            throw ImageError(description: "expected a finite time and a duration of 0 or more, found time \(time), duration \(duration)")
        }
        if let color, color.width != gray.width || color.height != gray.height {
            throw ImageError(description: "expected the colour image to be \(gray.width)x\(gray.height) like the gray one, found \(color.width)x\(color.height)")
        }
        self.init(index: index, timestamp: timestamp, time: time, duration: duration, gray: gray, color: color)
    }

    package init(index: Int, timestamp: Int64?, time: Double, duration: Double, gray: GrayImage, color: RGBImage?, decodedAt: UInt64? = nil) {
        self.decodedAt = decodedAt
        self.index = index
        self.timestamp = timestamp
        self.time = time
        self.duration = duration
        self.gray = gray
        self.color = color
    }
}

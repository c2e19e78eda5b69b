import VideoIO

/// Frames that the caller decodes itself and hands over one at a time through `next`, which returns nil
/// at the end. Each frame's `index` should count from 0 in order; its `time` is the caller's clock.
public final class PushedFrameSource: FrameSource {
    public let sourceDescription: SourceDescription
    private var next: (() throws -> VideoFrame?)?

    public init(description: SourceDescription, next: @escaping () throws -> VideoFrame?) {
        self.sourceDescription = description
        self.next = next
    }

    /// Frames from a sequence the caller already holds.
    public convenience init<Frames: Sequence>(name: String, frames: Frames) where Frames.Element == VideoFrame {
        var iterator = frames.makeIterator()
        var first = iterator.next()
        let size = first.map { ($0.gray.width, $0.gray.height) } ?? (0, 0)
        let stream = VideoStreamInfo(container: "frames", codec: "raw", width: size.0, height: size.1, rotation: 0, fps: nil,
                                     durationSeconds: nil, frameCount: nil, streamIndex: 0, pixelFormat: "gray")
        self.init(description: SourceDescription(path: name, stream: stream)) {
            if let frame = first {
                first = nil
                return frame
            }
            return iterator.next()
        }
    }

    public func nextFrame() throws -> VideoFrame? {
        try next?()
    }

    public func close() {
        next = nil
    }
}

import FaceMood
import Foundation
import Overlay
import VideoIO

/// The overlay (box, label, probability bars) shown live in a window (libavdevice's SDL2 output device) as
/// frames are analysed. A live source is shown as it arrives; a file at its own pace, as a player would.
/// Closing the window calls `closed` (the command ends the capture then) and stops the showing, not the analysis.
public final class PreviewWindowSink: TimelineSink {
    private let title: String
    private let closed: () -> Void
    private var window: PreviewWindow?
    private var drawer: EmotionOverlay?
    private var paced = false
    /// The wall-clock instant (`DispatchTime` nanoseconds) and the video time of the first frame shown.
    private var origin: (wall: UInt64, time: Double)?

    public var needsColor: Bool { true }

    public init(title: String, closed: @escaping () -> Void = {}) {
        self.title = title
        self.closed = closed
    }

    public func start(_ context: TimelineContext) throws {
        window = try PreviewWindow(title: title, width: context.source.stream.width, height: context.source.stream.height)
        drawer = EmotionOverlay(labels: context.labels, font: try FontRenderer())
        paced = !context.source.isLive
    }

    public func write(_ result: FrameResult, frame: VideoFrame) throws {
        guard var image = frame.color, let window, let drawer else { return }
        drawer.draw(EmotionOverlay.Annotation(result), on: &image)
        if paced { waitUntilDue(frame.time) }
        do {
            try window.show(image)
        } catch VideoError.windowClosed {
            self.window = nil
            closed()
        }
    }

    private func waitUntilDue(_ time: Double) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard let origin else {
            origin = (now, time)
            return
        }
        let due = Double(origin.wall) + max(0, time - origin.time) * 1e9
        if due > Double(now) { usleep(useconds_t(min((due - Double(now)) / 1000, 1e6))) }
    }

    public func finish(summary: EmotionSummary, decoding: DecodingReport) throws { window = nil }
    public func discard() { window = nil }
}

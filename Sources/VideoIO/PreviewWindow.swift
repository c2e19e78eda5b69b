import CFFmpeg
import Imaging

/// A window that shows RGB frames, through libavdevice's SDL2 output device: no library beyond FFmpeg's.
/// It needs a display (X11 or Wayland: `DISPLAY` or `WAYLAND_DISPLAY`); the window closes when this is freed.
public final class PreviewWindow {
    public let title: String
    public let width: Int
    public let height: Int
    private let output: DeviceOutputContext
    private let packet: Packet
    private var frames: Int64 = 0

    /// The name errors give.
    static let name = "the preview window"

    public init(title: String, width: Int, height: Int) throws {
        self.title = title
        self.width = width
        self.height = height
        guard ImageLimits.pixelCount(width: width, height: height) != nil else {
            throw VideoError.encodeFailed(path: Self.name, reason: "expected a frame of 1 to \(ImageLimits.maximumPixels) pixels, found \(width)x\(height)")
        }
        output = try DeviceOutputContext(device: "sdl2", name: Self.name)
        packet = try Packet(path: Self.name)
        guard let stream = avformat_new_stream(output.pointer, nil) else {
            throw VideoError.encodeFailed(path: Self.name, reason: "cannot add a video stream")
        }
        stream.pointee.time_base = AVRational(num: 1, den: 1000)
        let parameters = stream.pointee.codecpar!
        parameters.pointee.codec_type = AVMEDIA_TYPE_VIDEO
        parameters.pointee.codec_id = AV_CODEC_ID_RAWVIDEO
        parameters.pointee.format = AV_PIX_FMT_RGB24.rawValue
        parameters.pointee.width = Int32(width)
        parameters.pointee.height = Int32(height)
        do {
            try output.writeHeader(options: [("window_title", title)], name: Self.name)
        } catch let VideoError.encodeFailed(_, reason) {
            throw VideoError.encodeFailed(path: Self.name, reason: "no window could be opened (\(reason)); a preview needs a display (DISPLAY or WAYLAND_DISPLAY)")
        }
    }

    /// Shows `image` (of the window's size). Throws `VideoError.windowClosed` once the user closed the window.
    public func show(_ image: RGBImage) throws {
        guard image.width == width, image.height == height else {
            throw VideoError.encodeFailed(path: Self.name, reason: "expected a \(width)x\(height) frame, found \(image.width)x\(image.height)")
        }
        let byteCount = image.pixels.count
        var code = av_new_packet(packet.pointer, Int32(byteCount))
        guard code >= 0 else { throw VideoError.encodeFailed(path: Self.name, reason: ffmpegMessage(code)) }
        defer { av_packet_unref(packet.pointer) }
        image.pixels.withUnsafeBufferPointer { packet.pointer.pointee.data.update(from: $0.baseAddress!, count: byteCount) }
        packet.pointer.pointee.pts = frames
        packet.pointer.pointee.dts = frames
        frames += 1
        code = av_write_frame(output.pointer, packet.pointer)
        // The device reports a closed window (or the quit key) as an I/O error.
        if code == cffmpeg_averror_eio() { throw VideoError.windowClosed }
        guard code >= 0 else { throw VideoError.encodeFailed(path: Self.name, reason: ffmpegMessage(code)) }
    }
}

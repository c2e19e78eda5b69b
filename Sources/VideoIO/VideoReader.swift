import CFFmpeg
import Foundation
import Imaging

/// Decodes every frame of a file's best video stream, one at a time, with true presentation times.
///
/// Memory stays flat: one frame is held back (to learn its duration from the next one) and nothing else.
public final class VideoReader {
    public struct Options: Sendable {
        /// Also convert each frame to RGB (for drawing overlays).
        public var wantsColor: Bool
        /// The format, options and timeout the input is opened with.
        public var input: InputSettings
        /// Hold each frame back until the next one is decoded, so that its duration is exact. A live source
        /// turns this off: each frame is then handed out the moment it is decoded, with the stream's average
        /// frame duration (or, when the stream states no rate, the interval since the previous frame).
        public var exactDurations: Bool

        public init(wantsColor: Bool = false, input: InputSettings = InputSettings(), exactDurations: Bool = true) {
            self.wantsColor = wantsColor
            self.input = input
            self.exactDurations = exactDurations
        }
    }

    public let path: String
    public let info: VideoStreamInfo
    /// The stream's time base: `VideoFrame.timestamp` counts in these units.
    public let timeBase: Rational
    /// The stream's average frame rate, when the container states one.
    public let averageFrameRate: Rational?

    private var options: Options

    /// Whether frames also carry an RGB copy; may be switched on before or between frames.
    public var wantsColor: Bool {
        get { options.wantsColor }
        set { options.wantsColor = newValue }
    }

    /// See `Options.exactDurations`; may be switched before the first frame.
    public var exactDurations: Bool {
        get { options.exactDurations }
        set { options.exactDurations = newValue }
    }
    /// How many threads the decoder runs (FFmpeg's choice until `useDecoderThreads`).
    public private(set) var decoderThreads = DecoderThreads.automatic

    /// Reopens the decoder with `threads`; before the first frame only (later calls change nothing).
    public func useDecoderThreads(_ threads: DecoderThreads) throws {
        guard threads != decoderThreads, !decodingStarted else { return }
        decoder = try CodecContext.decoder(stream: stream, path: path, threads: threads)
        decoderThreads = threads
    }

    private let input: InputContext
    /// Ends the input from any thread: a read blocked on the network or a device returns, the frames the
    /// decoder still holds are handed out, and then `nextFrame()` returns nil as at the end of a file.
    public let interrupt = ReadInterrupt()
    private var decoder: CodecContext
    private let packet: Packet
    private let decoded: Frame
    /// swscale's output, one frame per target format (GRAY8 where the GRAY8 table does not apply, RGB24), each keeping
    /// its buffer from one frame to the next.
    private let convertedGray: Frame
    private let convertedColor: Frame
    private let grayScaler = Scaler()
    private let lumaTable = LumaTable()
    /// Whether the last frame's GRAY8 came through the luma table rather than swscale (for the tests).
    var grayThroughTable: Bool { lumaTable.isInUse }
    private let colorScaler = Scaler()
    private let stream: UnsafeMutablePointer<AVStream>
    private let rotation: Rotation
    private let timeBaseSeconds: Double
    /// The file's start time (`AVFormatContext.start_time`) in the stream's time base, rounded as the
    /// `ffmpeg` command rounds it: times count from here, the clock of a player and of the audio.
    private let startTimestamp: Int64
    /// Present for containers whose timestamps may restart (`AVFMT_TS_DISCONT`).
    private var continuity: TimestampContinuity?

    /// How far the video stream starts after the file (an MP4 edit list, audio that starts first), in seconds.
    public let videoStartOffset: Double
    /// How many timestamp discontinuities were corrected so far.
    public var discontinuitiesCorrected: Int { continuity?.corrections ?? 0 }
    private let averageFrameDuration: Double

    private var framesDecoded = 0
    /// The last frame's time, handed out without waiting for the next (see `exactDurations`).
    private var lastLiveTime: Double?
    private var heldBack: VideoFrame?
    private var decoderFlushed = false
    /// A packet or the flush signal has gone to the decoder.
    private var decodingStarted = false
    private var exhausted = false
    /// Why reading stopped early, met while the decoder still held frames; reported once they are out.
    private var readFailure: String?
    /// Where the container's index says the stream's media data ends, when it has an index.
    private let indexedDataEnd: Int64?
    private var pendingError: VideoError?

    /// Whether frames arrive at the pace they are made: a capture device (`lavfi` included), or a network
    /// stream of unknown length (a VOD file over HTTP has a length and is read like a file).
    public let isLive: Bool

    /// The path that reads standard input (any container libavformat can probe from a pipe).
    public static let standardInput = "-"
    /// What names `path` in messages and file names: `stdin` for standard input.
    public static func displayName(_ path: String) -> String { path == standardInput ? "stdin" : path }

    /// Opens `path`, or standard input for `-` (then named "stdin" in errors).
    public init(path location: String, options: Options = Options()) throws {
        let path = Self.displayName(location)
        self.path = path
        self.options = options
        input = try InputContext(path: location == Self.standardInput ? "pipe:0" : location, name: path, settings: options.input,
                                 interrupt: interrupt)
        let format = input.pointer.pointee.iformat!
        let lengthUnknown = input.pointer.pointee.duration == ffmpegNoTimestamp || input.pointer.pointee.duration <= 0
        isLive = FFmpegRegistration.isCaptureDevice(format) || (InputSettings.isNetworkURL(location) && lengthUnknown)
        stream = try Self.bestVideoStream(in: input.pointer, path: path)
        decoder = try CodecContext.decoder(stream: stream, path: path)
        packet = try Packet(path: path)
        decoded = try Frame(path: path)
        convertedGray = try Frame(path: path)
        convertedColor = try Frame(path: path)
        rotation = Self.displayRotation(of: stream)
        indexedDataEnd = Self.indexedDataEnd(of: stream)

        let base = stream.pointee.time_base
        timeBase = Rational(base.num, base.den)
        timeBaseSeconds = av_q2d(base)
        let fileStart = input.pointer.pointee.start_time
        let streamStart = stream.pointee.start_time
        startTimestamp = fileStart != ffmpegNoTimestamp ? av_rescale_q(fileStart, cffmpeg_time_base_q(), base)
            : streamStart != ffmpegNoTimestamp ? streamStart : 0
        videoStartOffset = streamStart != ffmpegNoTimestamp ? Double(streamStart - startTimestamp) * timeBaseSeconds : 0
        continuity = input.pointer.pointee.iformat.pointee.flags & AVFMT_TS_DISCONT != 0 ? TimestampContinuity() : nil
        let averageRate = stream.pointee.avg_frame_rate
        let realRate = stream.pointee.r_frame_rate
        let fps = averageRate.num > 0 && averageRate.den > 0 ? av_q2d(averageRate)
            : realRate.num > 0 && realRate.den > 0 ? av_q2d(realRate) : nil
        averageFrameDuration = fps.map { 1 / $0 } ?? 0
        averageFrameRate = averageRate.num > 0 && averageRate.den > 0 ? Rational(averageRate.num, averageRate.den)
            : realRate.num > 0 && realRate.den > 0 ? Rational(realRate.num, realRate.den) : nil
        info = Self.describe(input: input.pointer, stream: stream, path: path, rotation: rotation, fps: fps)
    }

    /// The next frame, or nil after the last one. A read or decode error is thrown once every frame
    /// decoded before it has been returned.
    public func nextFrame() throws -> VideoFrame? {
        if !options.exactDurations && !exhausted {
            do {
                if var next = try decodeNext() {
                    // Without a stated frame rate, the interval since the previous frame is the best guess.
                    if averageFrameDuration == 0, let previous = lastLiveTime, next.time > previous { next.duration = next.time - previous }
                    lastLiveTime = next.time
                    return next
                }
                exhausted = true
            } catch let error as VideoError {
                exhausted = true
                throw error
            }
            return nil
        }
        while !exhausted {
            do {
                guard let next = try decodeNext() else {
                    exhausted = true
                    break
                }
                if var previous = heldBack {
                    previous.duration = next.time - previous.time
                    heldBack = next
                    return previous
                }
                heldBack = next
            } catch let error as VideoError {
                exhausted = true
                pendingError = error
            }
        }
        if var last = heldBack {
            heldBack = nil
            last.duration = averageFrameDuration
            return last
        }
        if let error = pendingError {
            pendingError = nil
            throw error
        }
        return nil
    }

    // MARK: - Decoding

    private func decodeNext() throws -> VideoFrame? {
        while true {
            let received = avcodec_receive_frame(decoder.pointer, decoded.pointer)
            if received >= 0 {
                defer { av_frame_unref(decoded.pointer) }
                return try makeFrame(from: decoded.pointer)
            }
            if received == ffmpegEOF {
                if let readFailure {
                    throw VideoError.decodeFailed(path: path, framesDecoded: framesDecoded, reason: readFailure)
                }
                return nil
            }
            if received != ffmpegEAGAIN {
                throw VideoError.decodeFailed(path: path, framesDecoded: framesDecoded, reason: ffmpegMessage(received))
            }
            try feedDecoder()
        }
    }

    /// Sends the next packet of our stream to the decoder, or the flush signal at the end of the file.
    private func feedDecoder() throws {
        if decoderFlushed { return }
        decodingStarted = true
        while true {
            interrupt.arm(seconds: options.input.timeout)
            // Devices that never wait on the network (lavfi, x11grab) do not ask the interrupt; ask it here too.
            let read = interrupt.isStopped ? ffmpegExit : av_read_frame(input.pointer, packet.pointer)
            if read == ffmpegEOF || (read == ffmpegExit && interrupt.isStopped) {
                decoderFlushed = true
                _ = avcodec_send_packet(decoder.pointer, nil)
                readFailure = truncation()
                return
            }
            if read < 0 {
                // Drain what the decoder still holds before reporting, so no decodable frame is lost.
                decoderFlushed = true
                _ = avcodec_send_packet(decoder.pointer, nil)
                readFailure = "reading the input failed: \(InputContext.reason(read, interrupt: interrupt, timeout: options.input.timeout))"
                return
            }
            defer { av_packet_unref(packet.pointer) }
            if continuity != nil, let packetStream = input.pointer.pointee.streams[Int(packet.pointer.pointee.stream_index)] {
                continuity?.adjust(packet.pointer, stream: packetStream, frameDuration: averageFrameDuration)
            }
            guard packet.pointer.pointee.stream_index == stream.pointee.index else { continue }
            let sent = avcodec_send_packet(decoder.pointer, packet.pointer)
            if sent < 0 && sent != ffmpegEAGAIN {
                throw VideoError.decodeFailed(path: path, framesDecoded: framesDecoded, reason: ffmpegMessage(sent))
            }
            return
        }
    }

    private func makeFrame(from frame: UnsafeMutablePointer<AVFrame>) throws -> VideoFrame {
        guard ImageLimits.pixelCount(width: Int(frame.pointee.width), height: Int(frame.pointee.height)) != nil else {
            throw VideoError.decodeFailed(path: path, framesDecoded: framesDecoded,
                                          reason: "expected a frame of 1 to \(ImageLimits.maximumPixels) pixels, found \(frame.pointee.width)x\(frame.pointee.height)")
        }
        let bestEffort = frame.pointee.best_effort_timestamp
        let timestamp: Int64? = bestEffort == ffmpegNoTimestamp ? nil : bestEffort
        let time: Double
        if let timestamp {
            time = Double(timestamp - startTimestamp) * timeBaseSeconds
        } else if let previous = heldBack {
            // No timestamp at all: continue the timeline at the average rate rather than invent a zero.
            time = previous.time + averageFrameDuration
        } else {
            time = Double(framesDecoded) * averageFrameDuration
        }
        let swscaleGray = { (frame: UnsafePointer<AVFrame>) in
            try self.convert(UnsafeMutablePointer(mutating: frame), to: AV_PIX_FMT_GRAY8, channels: 1, scaler: self.grayScaler)
        }
        let gray = try lumaTable.gray(of: frame, path: path, swscale: swscaleGray) ?? swscaleGray(frame)
        let color = options.wantsColor ? try convert(frame, to: AV_PIX_FMT_RGB24, channels: 3, scaler: colorScaler) : nil
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        let result = VideoFrame(
            index: framesDecoded,
            timestamp: timestamp,
            time: time,
            duration: averageFrameDuration,
            gray: GrayImage(width: width, height: height, checkedPixels: gray).rotated(rotation),
            color: color.map { RGBImage(width: width, height: height, checkedPixels: $0).rotated(rotation) },
            decodedAt: DispatchTime.now().uptimeNanoseconds
        )
        framesDecoded += 1
        return result
    }

    /// Converts through swscale into an FFmpeg-allocated (aligned) frame, as the ffmpeg CLI's filters do,
    /// then copies the rows out without their padding.
    private func convert(_ frame: UnsafeMutablePointer<AVFrame>, to format: AVPixelFormat, channels: Int,
                         scaler: Scaler) throws -> [UInt8] {
        let context = try scaler.context(for: frame, to: format, path: path)
        useSourceColors(context, of: frame)
        let target = (format == AV_PIX_FMT_RGB24 ? convertedColor : convertedGray).pointer
        // The converted frame's buffer stays for the next frame of the same size: it is copied out below,
        // and a new buffer of a whole frame per frame was an allocation and a free on the decoding thread.
        var code: Int32 = 0
        if target.pointee.data.0 == nil || target.pointee.width != frame.pointee.width || target.pointee.height != frame.pointee.height {
            av_frame_unref(target)
            target.pointee.format = format.rawValue
            target.pointee.width = frame.pointee.width
            target.pointee.height = frame.pointee.height
            code = av_frame_get_buffer(target, 0)
        }
        if code >= 0 {
            code = sws_scale_frame(context, target, frame)
        }
        if code < 0 {
            throw VideoError.ffmpegFailure(path: path, operation: "converting frame \(framesDecoded)", reason: ffmpegMessage(code))
        }
        let rowBytes = Int(frame.pointee.width) * channels
        let rows = Int(frame.pointee.height)
        let stride = Int(target.pointee.linesize.0)
        guard let plane = target.pointee.data.0 else {
            throw VideoError.ffmpegFailure(path: path, operation: "converting frame \(framesDecoded)", reason: "no output plane")
        }
        return [UInt8](unsafeUninitializedCapacity: rowBytes * rows) { buffer, count in
            for row in 0..<rows {
                (buffer.baseAddress! + row * rowBytes).update(from: plane + row * stride, count: rowBytes)
            }
            count = rowBytes * rows
        }
    }

    /// The source's YCbCr matrix and range as the ffmpeg command's scale filter takes them: the matrix of the frame's
    /// colour space (BT.601's where it states none or one swscale has no matrix for: a BT.709 video's colours differ),
    /// the range from the frame when it states one (else swscale's guess from the pixel format). Set only when they
    /// differ from the context's, so the common case costs one comparison.
    private func useSourceColors(_ context: OpaquePointer, of frame: UnsafePointer<AVFrame>) {
        var inverseTable: UnsafeMutablePointer<Int32>?
        var table: UnsafeMutablePointer<Int32>?
        var sourceRange: Int32 = 0, targetRange: Int32 = 0, brightness: Int32 = 0, contrast: Int32 = 0, saturation: Int32 = 0
        guard sws_getColorspaceDetails(context, &inverseTable, &sourceRange, &table, &targetRange,
                                       &brightness, &contrast, &saturation) >= 0, let inverseTable else { return }
        // The scale filter's own mapping: colour spaces outside 1...10, and YCgCo (8), take BT.601's matrix.
        var space = frame.pointee.colorspace
        if space.rawValue < 1 || space.rawValue > 10 || space == AVCOL_SPC_YCGCO { space = AVCOL_SPC_BT470BG }
        guard let matrix = sws_getCoefficients(Int32(space.rawValue)) else { return }
        let range: Int32 = switch frame.pointee.color_range {
        case AVCOL_RANGE_JPEG: 1
        case AVCOL_RANGE_MPEG: 0
        default: sourceRange
        }
        // The context keeps a copy of the matrix (four coefficients), not the pointer.
        guard range != sourceRange || (0..<4).contains(where: { matrix[$0] != inverseTable[$0] }) else { return }
        let coefficients = UnsafeMutablePointer(mutating: matrix)
        _ = sws_setColorspaceDetails(context, coefficients, range, coefficients, targetRange, brightness, contrast, saturation)
    }

    /// Demuxers such as mov report a cut-off file as a plain end of file; its index still knows better.
    private func truncation() -> String? {
        guard let indexedDataEnd, let io = input.pointer.pointee.pb else { return nil }
        let fileSize = avio_size(io)
        guard fileSize > 0, fileSize < indexedDataEnd else { return nil }
        return "the file is truncated: its index expects \(indexedDataEnd) bytes of media data, the file has \(fileSize)"
    }

    private static func indexedDataEnd(of stream: UnsafeMutablePointer<AVStream>) -> Int64? {
        let count = avformat_index_get_entries_count(stream)
        guard count > 0 else { return nil }
        var end: Int64 = 0
        for index in 0..<count {
            guard let entry = avformat_index_get_entry(stream, index) else { continue }
            end = max(end, entry.pointee.pos + Int64(entry.pointee.size))
        }
        return end > 0 ? end : nil
    }

    // MARK: - Stream description

    private static func bestVideoStream(in context: UnsafeMutablePointer<AVFormatContext>, path: String) throws
        -> UnsafeMutablePointer<AVStream> {
        let index = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        if index >= 0, let stream = context.pointee.streams[Int(index)],
           stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC == 0 {
            return stream
        }
        throw VideoError.noVideoStream(path: path, found: streamSummary(of: context))
    }

    /// "1 audio stream (mp3)", "no streams", "cover art only (mjpeg)" for error messages.
    private static func streamSummary(of context: UnsafeMutablePointer<AVFormatContext>) -> String {
        var parts: [String] = []
        for index in 0..<Int(context.pointee.nb_streams) {
            guard let stream = context.pointee.streams[index] else { continue }
            let parameters = stream.pointee.codecpar.pointee
            let codec = String(cString: avcodec_get_name(parameters.codec_id))
            let kind: String
            if stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 {
                kind = "cover art"
            } else if let name = av_get_media_type_string(parameters.codec_type) {
                kind = String(cString: name)
            } else {
                kind = "unknown"
            }
            parts.append("\(kind) (\(codec))")
        }
        return parts.isEmpty ? "no streams at all" : "only " + parts.joined(separator: ", ")
    }

    /// The rotation FFmpeg's autorotate applies: the display matrix angle, negated, rounded to a quarter turn.
    private static func displayRotation(of stream: UnsafeMutablePointer<AVStream>) -> Rotation {
        var size: Int = 0
        guard let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size),
              size >= 9 * MemoryLayout<Int32>.size else { return .none }
        let angle = data.withMemoryRebound(to: Int32.self, capacity: 9) { av_display_rotation_get($0) }
        guard angle.isFinite else { return .none }
        var theta = -angle.rounded()
        theta -= 360 * (theta / 360 + 0.9 / 360).rounded(.down)
        let quarter = Int((theta / 90).rounded()) % 4
        return Rotation(rawValue: quarter * 90) ?? .none
    }

    private static func describe(input: UnsafeMutablePointer<AVFormatContext>, stream: UnsafeMutablePointer<AVStream>,
                                 path: String, rotation: Rotation, fps: Double?) -> VideoStreamInfo {
        let parameters = stream.pointee.codecpar.pointee
        let demuxerName = String(cString: input.pointee.iformat.pointee.name)
        let names = demuxerName.split(separator: ",").map(String.init)
        let fileExtension = path.split(separator: "/").last.flatMap { name in
            name.contains(".") ? name.split(separator: ".").last.map { $0.lowercased() } : nil
        }
        let container = fileExtension.flatMap { ext in names.first { $0 == ext } } ?? names.first ?? demuxerName

        var duration: Double?
        if stream.pointee.duration != ffmpegNoTimestamp && stream.pointee.duration > 0 {
            duration = Double(stream.pointee.duration) * av_q2d(stream.pointee.time_base)
        } else if input.pointee.duration != ffmpegNoTimestamp && input.pointee.duration > 0 {
            duration = Double(input.pointee.duration) / Double(AV_TIME_BASE)
        }
        let width = Int(parameters.width), height = Int(parameters.height)
        let pixelFormat = av_get_pix_fmt_name(AVPixelFormat(rawValue: parameters.format)).map { String(cString: $0) } ?? "unknown"
        return VideoStreamInfo(
            container: container,
            codec: String(cString: avcodec_get_name(parameters.codec_id)),
            width: rotation.swapsDimensions ? height : width,
            height: rotation.swapsDimensions ? width : height,
            rotation: rotation.rawValue,
            fps: fps,
            durationSeconds: duration,
            frameCount: stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil,
            streamIndex: Int(stream.pointee.index),
            pixelFormat: pixelFormat
        )
    }
}

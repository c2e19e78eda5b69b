import CFFmpeg

// One final class per owned FFmpeg handle; each handle is freed in its class's deinit and nowhere else.

final class InputContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>

    /// Opens `path` (a file, or any URL libavformat reads, such as `pipe:0`) with `settings`; errors name `name`.
    /// `interrupt`, when given, can end the open and later reads from another thread; the caller keeps it alive.
    init(path: String, name: String? = nil, settings: InputSettings = InputSettings(), interrupt: ReadInterrupt? = nil) throws {
        let name = name ?? path
        var format: UnsafePointer<AVInputFormat>?
        if let formatName = settings.format {
            // A demuxer is found without libavdevice; only other names need its devices (and the library loaded).
            format = av_find_input_format(formatName)
            if format == nil {
                try FFmpegRegistration.registerDevices(for: name)
                format = av_find_input_format(formatName)
            }
            guard format != nil else {
                throw VideoError.cannotOpen(path: name, reason: "expected an input format or capture device, found no format named '\(formatName)' in this FFmpeg build (`ffmpeg -formats` and `ffmpeg -devices` list them)")
            }
        }
        if InputSettings.isNetworkURL(path) { _ = FFmpegRegistration.network }
        var context = avformat_alloc_context()
        guard context != nil else {
            throw VideoError.ffmpegFailure(path: name, operation: "allocating the input", reason: "out of memory")
        }
        if let interrupt { context?.pointee.interrupt_callback = interrupt.callback }
        var dictionary: OpaquePointer?
        defer { av_dict_free(&dictionary) }
        for option in settings.options { av_dict_set(&dictionary, option.key, option.value, 0) }
        interrupt?.arm(seconds: settings.timeout)
        // On failure libavformat frees the context itself.
        let code = avformat_open_input(&context, path, format, &dictionary)
        guard code >= 0, let opened = context else {
            throw VideoError.cannotOpen(path: name, reason: Self.reason(code, interrupt: interrupt, timeout: settings.timeout))
        }
        pointer = opened
        // From here `pointer` is set, so deinit closes the input whatever is thrown.
        if let unused = av_dict_get(dictionary, "", nil, AV_DICT_IGNORE_SUFFIX) {
            let formatName = String(cString: opened.pointee.iformat.pointee.name)
            throw VideoError.cannotOpen(path: name, reason: "expected options of \(formatName), its protocol or libavformat, found '\(String(cString: unused.pointee.key))', which none of them knows")
        }
        // A capture device states its picture in its header; probing would only hold back frames that then
        // arrive in a burst, stale.
        if FFmpegRegistration.isCaptureDevice(opened.pointee.iformat) && Self.statesItsVideo(opened) { return }
        let infoCode = avformat_find_stream_info(opened, nil)
        if infoCode < 0 {
            throw VideoError.cannotOpen(path: name, reason: Self.reason(infoCode, interrupt: interrupt, timeout: settings.timeout))
        }
    }

    /// Whether every video stream already has a codec and a picture size.
    private static func statesItsVideo(_ context: UnsafeMutablePointer<AVFormatContext>) -> Bool {
        (0..<Int(context.pointee.nb_streams)).allSatisfy { index in
            guard let parameters = context.pointee.streams[index]?.pointee.codecpar?.pointee else { return false }
            return parameters.codec_type != AVMEDIA_TYPE_VIDEO
                || (parameters.codec_id != AV_CODEC_ID_NONE && parameters.width > 0 && parameters.height > 0)
        }
    }

    /// FFmpeg's message, or what an interrupted wait means.
    static func reason(_ code: Int32, interrupt: ReadInterrupt?, timeout: Double?) -> String {
        guard code == ffmpegExit, let interrupt else { return ffmpegMessage(code) }
        if interrupt.isStopped { return "stopped before the first frame" }
        if interrupt.timedOut, let timeout { return "no data arrived within \(timeout.formatted(significantDigits: 3)) s" }
        return ffmpegMessage(code)
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&context)
    }
}

/// A decoder's or an encoder's AVCodecContext: allocated and freed here only, set up by `decoder`,
/// `videoEncoder` and `audioEncoder`.
final class CodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>

    private init(codec: UnsafePointer<AVCodec>, path: String) throws {
        guard let context = avcodec_alloc_context3(codec) else {
            throw VideoError.ffmpegFailure(path: path, operation: "allocating a codec context", reason: "out of memory")
        }
        pointer = context
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }

    static func decoder(stream: UnsafeMutablePointer<AVStream>, path: String, threads: DecoderThreads = .automatic) throws -> CodecContext {
        let parameters = stream.pointee.codecpar!
        guard let decoder = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw VideoError.noDecoder(path: path, codec: String(cString: avcodec_get_name(parameters.pointee.codec_id)))
        }
        let made = try CodecContext(codec: decoder, path: path)
        let context = made.pointer
        var code = avcodec_parameters_to_context(context, parameters)
        if code >= 0 {
            context.pointee.pkt_timebase = stream.pointee.time_base
            context.pointee.thread_count = threads == .single ? 1 : 0
            code = avcodec_open2(context, decoder, nil)
        }
        if code < 0 {
            throw VideoError.ffmpegFailure(path: path, operation: "opening the \(String(cString: decoder.pointee.name)) decoder",
                                           reason: ffmpegMessage(code))
        }
        return made
    }

    static func videoEncoder(path: String, width: Int, height: Int, timeBase: Rational, frameRate: Rational?, globalHeader: Bool,
                             options: VideoWriter.Options) throws -> CodecContext {
        guard let codec = avcodec_find_encoder_by_name("libx264") else {
            throw VideoError.encodeFailed(path: path, reason: "this FFmpeg build has no libx264 encoder")
        }
        let made = try CodecContext(codec: codec, path: path)
        let context = made.pointer
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        // swscale converts RGB with BT.601's matrix into limited range; saying so keeps players from guessing BT.709 for
        // HD sizes and shifting the colours.
        context.pointee.colorspace = AVCOL_SPC_SMPTE170M
        context.pointee.color_range = AVCOL_RANGE_MPEG
        // The source's own time base keeps every presentation time exactly (variable frame rate included).
        context.pointee.time_base = AVRational(num: timeBase.numerator, den: timeBase.denominator)
        if let frameRate { context.pointee.framerate = AVRational(num: frameRate.numerator, den: frameRate.denominator) }
        if globalHeader { context.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER) }
        var dictionary: OpaquePointer?
        av_dict_set(&dictionary, "crf", String(options.crf), 0)
        av_dict_set(&dictionary, "preset", options.preset, 0)
        let code = avcodec_open2(context, codec, &dictionary)
        av_dict_free(&dictionary)
        guard code >= 0 else {
            throw VideoError.encodeFailed(path: path, reason: "libx264 refused its settings (crf \(options.crf), preset \(options.preset)): \(ffmpegMessage(code))")
        }
        return made
    }

    static func audioEncoder(decoder: UnsafeMutablePointer<AVCodecContext>, globalHeader: Bool, path: String) throws -> CodecContext {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_AAC) else {
            throw VideoError.encodeFailed(path: path, reason: "this FFmpeg build has no AAC encoder")
        }
        let made = try CodecContext(codec: codec, path: path)
        let context = made.pointer
        context.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        context.pointee.sample_rate = decoder.pointee.sample_rate
        context.pointee.bit_rate = 192_000
        if decoder.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC {
            av_channel_layout_default(&context.pointee.ch_layout, decoder.pointee.ch_layout.nb_channels)
        } else {
            av_channel_layout_copy(&context.pointee.ch_layout, &decoder.pointee.ch_layout)
        }
        context.pointee.time_base = AVRational(num: 1, den: decoder.pointee.sample_rate)
        if globalHeader { context.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER) }
        let code = avcodec_open2(context, codec, nil)
        guard code >= 0 else {
            throw VideoError.encodeFailed(path: path, reason: "the AAC encoder refused \(decoder.pointee.sample_rate) Hz audio: \(ffmpegMessage(code))")
        }
        return made
    }
}

final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    init(path: String) throws {
        guard let packet = av_packet_alloc() else {
            throw VideoError.ffmpegFailure(path: path, operation: "allocating a packet", reason: "out of memory")
        }
        pointer = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }
}

final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>

    init(path: String) throws {
        guard let frame = av_frame_alloc() else {
            throw VideoError.ffmpegFailure(path: path, operation: "allocating a frame", reason: "out of memory")
        }
        pointer = frame
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }
}

/// A swscale context re-created only when the source geometry or format changes mid-stream.
final class Scaler {
    private var context: OpaquePointer?

    /// Returns a context converting `source`'s format to `target`, at `size` (default: the source's size).
    func context(for source: UnsafePointer<AVFrame>, to target: AVPixelFormat, size: (width: Int32, height: Int32)? = nil,
                 path: String) throws -> OpaquePointer {
        let format = AVPixelFormat(rawValue: source.pointee.format)
        let size = size ?? (source.pointee.width, source.pointee.height)
        // The ffmpeg CLI scales with bicubic flags by default; matching it keeps GRAY8 bytes identical.
        context = sws_getCachedContext(context, source.pointee.width, source.pointee.height, format,
                                       size.width, size.height, target,
                                       Int32(SWS_BICUBIC), nil, nil, nil)
        guard let context else {
            let name = av_get_pix_fmt_name(format).map { String(cString: $0) } ?? "unknown"
            throw VideoError.ffmpegFailure(path: path, operation: "converting pixel format \(name)",
                                           reason: "swscale does not support it")
        }
        return context
    }

    deinit {
        sws_freeContext(context)
    }
}

final class OutputContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    private let path: String
    private var headerWritten = false

    /// Writes the file at `path`; errors name `name`.
    init(path: String, formatName: String, name: String) throws {
        self.path = name
        var context: UnsafeMutablePointer<AVFormatContext>?
        // The container comes from `formatName`; the context's own name must stay `path`, which muxers reopen
        // (the MP4 muxer does, to move its index to the front).
        let fileExtension = formatName.split(separator: ".").last.map { $0.lowercased() } ?? ""
        let format = VideoWriter.containerExtensions.contains(fileExtension) ? av_guess_format(nil, formatName, nil) : nil
        let code = format == nil ? -1 : avformat_alloc_output_context2(&context, format, nil, path)
        guard code >= 0, let context else {
            throw VideoError.encodeFailed(path: name, reason: "no container for '\(formatName)' (expected .mp4, .mov or .mkv)")
        }
        pointer = context
        let openCode = avio_open(&context.pointee.pb, path, AVIO_FLAG_WRITE)
        guard openCode >= 0 else {
            throw VideoError.encodeFailed(path: name, reason: "cannot create the file: \(ffmpegMessage(openCode))")
        }
    }

    var needsGlobalHeader: Bool { pointer.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 }

    func writeHeader() throws {
        var options: OpaquePointer?
        // MP4/MOV: move the index to the front so the file starts playing before it is fully read.
        av_dict_set(&options, "movflags", "+faststart", 0)
        let code = avformat_write_header(pointer, &options)
        av_dict_free(&options)
        guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(code)) }
        headerWritten = true
    }

    /// Takes ownership of the packet's data (the muxer interleaves by time).
    func write(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        let code = av_interleaved_write_frame(pointer, packet)
        guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(code)) }
    }

    /// Finishes the container and closes the file.
    func writeTrailer() throws {
        let code = av_write_trailer(pointer)
        guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(code)) }
        let closed = avio_closep(&pointer.pointee.pb)
        guard closed >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(closed)) }
    }

    deinit {
        avio_closep(&pointer.pointee.pb)
        avformat_free_context(pointer)
    }
}

/// Float planar samples waiting to fill an encoder frame.
final class AudioFifo {
    private let pointer: OpaquePointer
    private let channels: Int32
    private let path: String

    init(channels: Int32, path: String) throws {
        guard let fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, channels, 2048) else {
            throw VideoError.encodeFailed(path: path, reason: "out of memory")
        }
        pointer = fifo
        self.channels = channels
        self.path = path
    }

    deinit {
        av_audio_fifo_free(pointer)
    }

    var count: Int32 { av_audio_fifo_size(pointer) }

    /// Converts a decoded frame of any common sample format to float planar and queues it.
    func append(_ frame: UnsafeMutablePointer<AVFrame>) throws {
        let samples = Int(frame.pointee.nb_samples)
        let format = AVSampleFormat(rawValue: frame.pointee.format)
        let planar = av_sample_fmt_is_planar(format) != 0
        let packed = av_get_packed_sample_fmt(format)
        let frameChannels = Int(frame.pointee.ch_layout.nb_channels)
        guard frameChannels == Int(channels) else {
            throw VideoError.encodeFailed(path: path, reason: "the audio changed its channel count mid-stream")
        }
        let data = frame.pointee.extended_data!
        // Channel after channel in one buffer, so every plane pointer stays valid inside one closure.
        var converted = [Float](repeating: 0, count: frameChannels * samples)
        for channel in 0..<frameChannels {
            let plane = planar ? data[channel]! : data[0]!
            for index in 0..<samples {
                let position = planar ? index : index * frameChannels + channel
                let value: Float
                switch packed {
                case AV_SAMPLE_FMT_U8: value = (Float(plane[position]) - 128) / 128
                case AV_SAMPLE_FMT_S16:
                    value = Float(UnsafeRawPointer(plane).load(fromByteOffset: position * 2, as: Int16.self)) / 32768
                case AV_SAMPLE_FMT_S32:
                    value = Float(UnsafeRawPointer(plane).load(fromByteOffset: position * 4, as: Int32.self)) / 2_147_483_648
                case AV_SAMPLE_FMT_FLT: value = UnsafeRawPointer(plane).load(fromByteOffset: position * 4, as: Float.self)
                case AV_SAMPLE_FMT_DBL: value = Float(UnsafeRawPointer(plane).load(fromByteOffset: position * 8, as: Double.self))
                default:
                    let name = av_get_sample_fmt_name(format).map { String(cString: $0) } ?? "unknown"
                    throw VideoError.encodeFailed(path: path, reason: "audio samples in \(name) format cannot be re-encoded")
                }
                converted[channel * samples + index] = value
            }
        }
        let written = converted.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var planes: [UnsafeMutableRawPointer?] = (0..<frameChannels).map { UnsafeMutableRawPointer(buffer.baseAddress! + $0 * samples) }
            return planes.withUnsafeMutableBufferPointer { av_audio_fifo_write(pointer, $0.baseAddress, Int32(samples)) }
        }
        guard written == Int32(samples) else { throw VideoError.encodeFailed(path: path, reason: "queueing audio failed") }
    }

    func read(into frame: UnsafeMutablePointer<AVFrame>, samples: Int32) throws {
        let read = withUnsafeMutablePointer(to: &frame.pointee.data) { data in
            data.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 8) { av_audio_fifo_read(pointer, $0, samples) }
        }
        guard read == samples else { throw VideoError.encodeFailed(path: path, reason: "reading queued audio failed") }
    }
}

/// An output device's AVFormatContext (libavdevice: a window, not a file): allocated and freed here only.
final class DeviceOutputContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    private var headerWritten = false

    /// Allocates an output of the device named `device` (such as `sdl2`); errors name `name`.
    init(device: String, name: String) throws {
        try FFmpegRegistration.registerDevices(for: name)
        var context: UnsafeMutablePointer<AVFormatContext>?
        let code = avformat_alloc_output_context2(&context, nil, device, nil)
        guard code >= 0, let context else {
            throw VideoError.encodeFailed(path: name, reason: "this FFmpeg build has no '\(device)' output device: \(ffmpegMessage(code))")
        }
        pointer = context
    }

    func writeHeader(options: [(String, String)], name: String) throws {
        var dictionary: OpaquePointer?
        defer { av_dict_free(&dictionary) }
        for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
        let code = avformat_write_header(pointer, &dictionary)
        guard code >= 0 else { throw VideoError.encodeFailed(path: name, reason: ffmpegMessage(code)) }
        headerWritten = true
    }

    deinit {
        if headerWritten { av_write_trailer(pointer) }
        avformat_free_context(pointer)
    }
}

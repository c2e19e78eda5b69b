import CFFmpeg

// One final class per owned FFmpeg handle; each handle is freed in its class's deinit and nowhere else.

final class InputContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>

    init(path: String) throws {
        _ = quietByDefault
        var context: UnsafeMutablePointer<AVFormatContext>?
        let code = avformat_open_input(&context, path, nil, nil)
        guard code >= 0, let opened = context else {
            throw VideoError.cannotOpen(path: path, reason: ffmpegMessage(code))
        }
        pointer = opened
        let infoCode = avformat_find_stream_info(opened, nil)
        if infoCode < 0 {
            // `pointer` is set, so deinit closes the input.
            throw VideoError.cannotOpen(path: path, reason: ffmpegMessage(infoCode))
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&context)
    }
}

final class DecoderContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>

    init(stream: UnsafeMutablePointer<AVStream>, path: String) throws {
        let parameters = stream.pointee.codecpar!
        guard let decoder = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw VideoError.noDecoder(path: path, codec: String(cString: avcodec_get_name(parameters.pointee.codec_id)))
        }
        guard let context = avcodec_alloc_context3(decoder) else {
            throw VideoError.ffmpegFailure(path: path, operation: "allocating a decoder", reason: "out of memory")
        }
        pointer = context
        var code = avcodec_parameters_to_context(context, parameters)
        if code >= 0 {
            context.pointee.pkt_timebase = stream.pointee.time_base
            context.pointee.thread_count = 0
            code = avcodec_open2(context, decoder, nil)
        }
        if code < 0 {
            throw VideoError.ffmpegFailure(path: path, operation: "opening the \(String(cString: decoder.pointee.name)) decoder",
                                           reason: ffmpegMessage(code))
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
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

    /// Returns a context converting `source`'s format to `target` at the same size.
    func context(for source: UnsafePointer<AVFrame>, to target: AVPixelFormat, path: String) throws -> OpaquePointer {
        let format = AVPixelFormat(rawValue: source.pointee.format)
        // The ffmpeg CLI scales with bicubic flags by default; matching it keeps GRAY8 bytes identical.
        context = sws_getCachedContext(context, source.pointee.width, source.pointee.height, format,
                                       source.pointee.width, source.pointee.height, target,
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

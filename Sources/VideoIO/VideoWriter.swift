import CFFmpeg
import Imaging

/// Encodes RGB frames with libx264 (yuv420p) into MP4, MOV or MKV (by the file name), keeping each
/// frame's presentation time, and copies the source's audio streams packet for packet, interleaved
/// as the video advances so memory stays flat.
public final class VideoWriter {
    public struct Options: Sendable, Equatable {
        /// x264's constant rate factor: 0 lossless, 18 visually lossless, 23 x264's default.
        public var crf: Int
        /// x264's speed/size trade-off, ultrafast … veryslow.
        public var preset: String

        public init(crf: Int = 20, preset: String = "veryfast") {
            self.crf = crf
            self.preset = preset
        }

        public static let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]
        public static let crfRange = 0...51
    }

    /// The containers written, by file extension.
    public static let containerExtensions = ["mp4", "mov", "mkv"]

    /// The name errors give.
    public let path: String
    /// Every frame is encoded at this size; frames of another size are scaled to it, as the ffmpeg CLI does.
    public let width: Int
    public let height: Int
    private let output: OutputContext
    private let encoder: CodecContext
    private let videoStream: UnsafeMutablePointer<AVStream>
    private let yuvFrame: Frame
    private let packet: Packet
    private let scaler = Scaler()
    private let rgbSource: Frame
    private let audio: AudioPassthrough?
    private var lastTimestamp: Int64?
    private var finished = false

    /// - Parameters:
    ///   - path: the file to write; `formatName` (a path or name ending in .mp4/.mov/.mkv) picks the container.
    ///   - timeBase: the source stream's time base, in which `write` receives timestamps.
    ///   - audioSource: a file whose audio streams are copied (normally the video being annotated).
    ///   - displayName: the name errors give (the final name of a file written under a temporary one).
    public init(path: String, formatName: String, width: Int, height: Int, timeBase: Rational, frameRate: Rational?,
                audioSource: String?, options: Options = Options(), displayName: String? = nil) throws {
        let file = path
        let path = displayName ?? file
        self.path = path
        self.width = width
        self.height = height
        guard width % 2 == 0, height % 2 == 0 else {
            throw VideoError.encodeFailed(path: path, reason: "H.264 in yuv420p needs even dimensions, the video is \(width)x\(height)")
        }
        guard ImageLimits.pixelCount(width: width, height: height) != nil else {
            throw VideoError.encodeFailed(path: path, reason: "expected a frame of at most \(ImageLimits.maximumPixels) pixels, found \(width)x\(height)")
        }
        guard Options.presets.contains(options.preset) else {
            throw VideoError.encodeFailed(path: path, reason: "expected an x264 preset (\(Options.presets.joined(separator: ", "))), found '\(options.preset)'")
        }
        guard Options.crfRange.contains(options.crf) else {
            throw VideoError.encodeFailed(path: path, reason: "expected a crf of \(Options.crfRange.lowerBound) to \(Options.crfRange.upperBound), found \(options.crf)")
        }
        output = try OutputContext(path: file, formatName: formatName, name: path)
        encoder = try CodecContext.videoEncoder(path: path, width: width, height: height, timeBase: timeBase, frameRate: frameRate,
                                     globalHeader: output.needsGlobalHeader, options: options)
        guard let stream = avformat_new_stream(output.pointer, nil) else {
            throw VideoError.encodeFailed(path: path, reason: "cannot add a video stream")
        }
        videoStream = stream
        stream.pointee.time_base = encoder.pointer.pointee.time_base
        if let frameRate { stream.pointee.avg_frame_rate = AVRational(num: frameRate.numerator, den: frameRate.denominator) }
        var code = avcodec_parameters_from_context(stream.pointee.codecpar, encoder.pointer)
        guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(code)) }
        if let audioSource {
            audio = try AudioPassthrough(source: audioSource, output: output, path: path)
        } else {
            audio = nil
        }
        packet = try Packet(path: path)
        yuvFrame = try Frame(path: path)
        rgbSource = try Frame(path: path)
        yuvFrame.pointer.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        yuvFrame.pointer.pointee.width = Int32(width)
        yuvFrame.pointer.pointee.height = Int32(height)
        code = av_frame_get_buffer(yuvFrame.pointer, 0)
        guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(code)) }
        try output.writeHeader()
    }

    /// What the writer did differently from what was asked (audio re-encoded instead of copied).
    public var notices: [String] { audio?.notices ?? [] }

    /// Encodes one frame shown at `timestamp` (in the source time base). Timestamps must increase.
    public func write(_ image: RGBImage, timestamp: Int64) throws {
        let pts = max(timestamp, (lastTimestamp ?? timestamp - 1) + 1)
        lastTimestamp = pts
        try convert(image)
        yuvFrame.pointer.pointee.pts = pts
        try send(yuvFrame.pointer)
        try audio?.copy(until: Double(pts) * av_q2d(encoder.pointer.pointee.time_base) + 0.5, into: output)
    }

    /// Flushes the encoder, copies the remaining audio and closes the file.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try send(nil)
        try audio?.copy(until: .infinity, into: output)
        try output.writeTrailer()
    }

    private func convert(_ image: RGBImage) throws {
        let frame = yuvFrame.pointer
        var code = av_frame_make_writable(frame)
        guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(code)) }
        let source = rgbSource.pointer
        source.pointee.format = AV_PIX_FMT_RGB24.rawValue
        source.pointee.width = Int32(image.width)
        source.pointee.height = Int32(image.height)
        // The target is the encoder's own frame, so a source of any size is scaled into it and never past it.
        let context = try scaler.context(for: source, to: AV_PIX_FMT_YUV420P, size: (Int32(width), Int32(height)), path: path)
        code = image.pixels.withUnsafeBufferPointer { pixels -> Int32 in
            var planes: [UnsafePointer<UInt8>?] = [pixels.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(image.width * 3), 0, 0, 0]
            return withUnsafePointer(to: &frame.pointee.data) { data in
                withUnsafePointer(to: &frame.pointee.linesize) { linesize in
                    data.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { targetPlanes in
                        linesize.withMemoryRebound(to: Int32.self, capacity: 8) { targetStrides in
                            sws_scale(context, &planes, &strides, 0, Int32(image.height), targetPlanes, targetStrides)
                        }
                    }
                }
            }
        }
        guard code > 0 else { throw VideoError.encodeFailed(path: path, reason: "colour conversion failed") }
    }

    /// Sends a frame (nil flushes) and writes every packet the encoder has ready.
    private func send(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        var code = avcodec_send_frame(encoder.pointer, frame)
        guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(code)) }
        while true {
            code = avcodec_receive_packet(encoder.pointer, packet.pointer)
            if code == ffmpegEAGAIN || code == ffmpegEOF { return }
            guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(code)) }
            av_packet_rescale_ts(packet.pointer, encoder.pointer.pointee.time_base, videoStream.pointee.time_base)
            packet.pointer.pointee.stream_index = videoStream.pointee.index
            try output.write(packet.pointer)
        }
    }
}

/// A time base or frame rate as FFmpeg keeps them.
public struct Rational: Sendable, Equatable {
    public var numerator: Int32
    public var denominator: Int32

    public init(_ numerator: Int32, _ denominator: Int32) {
        self.numerator = numerator
        self.denominator = denominator
    }
}

/// Carries the audio streams of a source file into an output, in timestamp order, on demand: packet
/// for packet when the container takes the codec, otherwise decoded and re-encoded to AAC.
final class AudioPassthrough {
    private enum Route {
        case copy(UnsafeMutablePointer<AVStream>)
        case transcode(AudioTranscoder)
    }

    private let input: InputContext
    private let packet: Packet
    private var routes: [Int32: Route] = [:]
    private var pending = false
    private var exhausted = false
    private let path: String
    /// What was not copied as is, for the user to know.
    private(set) var notices: [String] = []

    init(source: String, output: OutputContext, path: String) throws {
        self.path = path
        input = try InputContext(path: source)
        packet = try Packet(path: path)
        for index in 0..<Int(input.pointer.pointee.nb_streams) {
            guard let stream = input.pointer.pointee.streams[index],
                  stream.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_AUDIO else { continue }
            let codec = stream.pointee.codecpar.pointee.codec_id
            guard let target = avformat_new_stream(output.pointer, nil) else {
                throw VideoError.encodeFailed(path: path, reason: "cannot add an audio stream")
            }
            if avformat_query_codec(output.pointer.pointee.oformat, codec, FF_COMPLIANCE_NORMAL) == 1 {
                let code = avcodec_parameters_copy(target.pointee.codecpar, stream.pointee.codecpar)
                guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(code)) }
                target.pointee.codecpar.pointee.codec_tag = 0
                target.pointee.time_base = stream.pointee.time_base
                routes[stream.pointee.index] = .copy(target)
            } else {
                let transcoder = try AudioTranscoder(source: stream, target: target, globalHeader: output.needsGlobalHeader, path: path)
                routes[stream.pointee.index] = .transcode(transcoder)
                let name = String(cString: avcodec_get_name(codec))
                notices.append("the \(name) audio of \(source) cannot be stored in this container as is; it was re-encoded to AAC")
            }
        }
    }

    /// Writes source audio whose time is at most `seconds` (everything left, and the encoders' tails, for infinity).
    func copy(until seconds: Double, into output: OutputContext) throws {
        guard !routes.isEmpty else { return }
        while !exhausted {
            if !pending {
                let code = av_read_frame(input.pointer, packet.pointer)
                if code < 0 {
                    exhausted = true
                    break
                }
                guard routes[packet.pointer.pointee.stream_index] != nil else {
                    av_packet_unref(packet.pointer)
                    continue
                }
                pending = true
            }
            let source = input.pointer.pointee.streams[Int(packet.pointer.pointee.stream_index)]!
            let stamp = packet.pointer.pointee.dts != ffmpegNoTimestamp ? packet.pointer.pointee.dts : packet.pointer.pointee.pts
            if stamp != ffmpegNoTimestamp && Double(stamp) * av_q2d(source.pointee.time_base) > seconds { return }
            pending = false
            switch routes[packet.pointer.pointee.stream_index]! {
            case let .copy(target):
                av_packet_rescale_ts(packet.pointer, source.pointee.time_base, target.pointee.time_base)
                packet.pointer.pointee.stream_index = target.pointee.index
                packet.pointer.pointee.pos = -1
                try output.write(packet.pointer)
            case let .transcode(transcoder):
                defer { av_packet_unref(packet.pointer) }
                try transcoder.decode(packet.pointer, into: output)
            }
        }
        if exhausted && seconds == .infinity {
            for case let .transcode(transcoder) in routes.values { try transcoder.finish(into: output) }
        }
    }
}

/// Decodes one audio stream and encodes it to AAC (float planar, 1024-sample frames through a FIFO),
/// keeping its start time.
final class AudioTranscoder {
    private let decoder: CodecContext
    private let encoder: CodecContext
    private let fifo: AudioFifo
    private let decoded: Frame
    private let encoded: Packet
    private let target: UnsafeMutablePointer<AVStream>
    private let sourceTimeBase: AVRational
    private let path: String
    private var nextSample: Int64?
    private var finished = false

    init(source: UnsafeMutablePointer<AVStream>, target: UnsafeMutablePointer<AVStream>, globalHeader: Bool, path: String) throws {
        self.path = path
        self.target = target
        sourceTimeBase = source.pointee.time_base
        decoder = try CodecContext.decoder(stream: source, path: path)
        encoder = try CodecContext.audioEncoder(decoder: decoder.pointer, globalHeader: globalHeader, path: path)
        fifo = try AudioFifo(channels: Int32(encoder.pointer.pointee.ch_layout.nb_channels), path: path)
        decoded = try Frame(path: path)
        encoded = try Packet(path: path)
        target.pointee.time_base = encoder.pointer.pointee.time_base
        let code = avcodec_parameters_from_context(target.pointee.codecpar, encoder.pointer)
        guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(code)) }
    }

    func decode(_ packet: UnsafeMutablePointer<AVPacket>?, into output: OutputContext) throws {
        var code = avcodec_send_packet(decoder.pointer, packet)
        guard code >= 0 || code == ffmpegEOF else { throw VideoError.encodeFailed(path: path, reason: "decoding audio: \(ffmpegMessage(code))") }
        while true {
            code = avcodec_receive_frame(decoder.pointer, decoded.pointer)
            if code == ffmpegEAGAIN || code == ffmpegEOF { return }
            guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: "decoding audio: \(ffmpegMessage(code))") }
            defer { av_frame_unref(decoded.pointer) }
            if nextSample == nil {
                let pts = decoded.pointer.pointee.best_effort_timestamp
                nextSample = pts == ffmpegNoTimestamp ? 0
                    : av_rescale_q(pts, sourceTimeBase, encoder.pointer.pointee.time_base)
            }
            try fifo.append(decoded.pointer)
            try encodeFullFrames(into: output, flushing: false)
        }
    }

    func finish(into output: OutputContext) throws {
        guard !finished else { return }
        finished = true
        try decode(nil, into: output)
        try encodeFullFrames(into: output, flushing: true)
        try send(nil, into: output)
    }

    private func encodeFullFrames(into output: OutputContext, flushing: Bool) throws {
        let frameSize = max(Int32(encoder.pointer.pointee.frame_size), 1024)
        while fifo.count >= frameSize || (flushing && fifo.count > 0) {
            let frame = try Frame(path: path)
            let samples = min(frameSize, fifo.count)
            frame.pointer.pointee.nb_samples = samples
            frame.pointer.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
            frame.pointer.pointee.sample_rate = encoder.pointer.pointee.sample_rate
            av_channel_layout_copy(&frame.pointer.pointee.ch_layout, &encoder.pointer.pointee.ch_layout)
            let code = av_frame_get_buffer(frame.pointer, 0)
            guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: ffmpegMessage(code)) }
            try fifo.read(into: frame.pointer, samples: samples)
            frame.pointer.pointee.pts = nextSample ?? 0
            nextSample = (nextSample ?? 0) + Int64(samples)
            try send(frame.pointer, into: output)
        }
    }

    private func send(_ frame: UnsafeMutablePointer<AVFrame>?, into output: OutputContext) throws {
        var code = avcodec_send_frame(encoder.pointer, frame)
        guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: "encoding AAC: \(ffmpegMessage(code))") }
        while true {
            code = avcodec_receive_packet(encoder.pointer, encoded.pointer)
            if code == ffmpegEAGAIN || code == ffmpegEOF { return }
            guard code >= 0 else { throw VideoError.encodeFailed(path: path, reason: "encoding AAC: \(ffmpegMessage(code))") }
            av_packet_rescale_ts(encoded.pointer, encoder.pointer.pointee.time_base, target.pointee.time_base)
            encoded.pointer.pointee.stream_index = target.pointee.index
            try output.write(encoded.pointer)
        }
    }
}

import Foundation
import VideoIO

/// Frames of the best video stream of a file, a pipe, a network stream or a capture device, decoded by
/// libavformat and libavcodec. `-` reads standard input (any container libavformat can probe from a pipe:
/// Matroska, MPEG-TS, NUT, fragmented MP4…); URLs (`http://`, `udp://`, `rtsp://`…) are read by
/// libavformat's protocols; devices are named by `Options.input.format` (`v4l2`, `x11grab`, `lavfi`). Its
/// state is behind a lock, so `close()`, `endInput()` and `isClosed` may be used from any thread.
public final class FileFrameSource: FrameSource, @unchecked Sendable {
    public struct Options: Sendable, Equatable {
        /// The format, options and timeout the input is opened with.
        public var input: InputSettings
        /// Whether the source is live (see `SourceDescription.isLive`); nil decides by the source: a capture
        /// device, or a network stream of unknown length.
        public var live: Bool?
        /// Seconds of video to read from the first frame; nil reads to the end.
        public var duration: Double?

        public init(input: InputSettings = InputSettings(), live: Bool? = nil, duration: Double? = nil) {
            self.input = input
            self.live = live
            self.duration = duration
        }

        /// Durations outside this range are refused.
        public static let durationRange = 0.001...(366 * 86_400.0)
        /// How long a live source may send nothing before its reading fails, unless `input.timeout` says otherwise.
        public static let defaultLiveTimeout = 15.0
    }

    public var path: String { sourceDescription.path }
    /// The path that reads standard input.
    public static let standardInput = VideoReader.standardInput
    /// `stdin` for standard input, else the path.
    public static func displayName(_ path: String) -> String { VideoReader.displayName(path) }
    public let sourceDescription: SourceDescription
    private var reader: VideoReader?
    private let interrupt: ReadInterrupt
    private let duration: Double?
    /// Read only by the thread that reads frames.
    private var firstFrameTime: Double?
    private var reachedDuration = false
    private let lock = NSLock()

    /// Opens the input and reads its stream's description; decoding starts with the first `nextFrame()`.
    public init(path: String, options: Options = Options()) throws {
        if let duration = options.duration, !Options.durationRange.contains(duration) {
            throw AnalysisError("\(Self.displayName(path)): expected a duration of \(Options.durationRange.lowerBound) s to a year, found \(duration) s")
        }
        if let timeout = options.input.timeout, !InputSettings.timeoutRange.contains(timeout) {
            throw AnalysisError("\(Self.displayName(path)): expected a timeout of \(InputSettings.timeoutRange.lowerBound) s to a day, found \(timeout) s")
        }
        let isFile = path != VideoReader.standardInput && options.input.format == nil && !InputSettings.isNetworkURL(path)
        // Before opening, so that a file replaced while it is read is not recorded as the new one.
        let identity = isFile ? FileIdentity(path: path) : nil
        var input = options.input
        if !isFile && path != VideoReader.standardInput && input.timeout == nil { input.timeout = Options.defaultLiveTimeout }
        let reader = try VideoReader(path: path, options: VideoReader.Options(input: input))
        let live = options.live ?? reader.isLive
        // A live frame goes out the moment it is decoded: waiting for the next one would add a frame of latency.
        reader.exactDurations = !live
        self.reader = reader
        duration = options.duration
        interrupt = reader.interrupt
        sourceDescription = SourceDescription(path: path, stream: reader.info, timeBase: reader.timeBase,
                                        averageFrameRate: reader.averageFrameRate,
                                        // Only a file can be read a second time for its audio.
                                        audioSource: isFile ? path : nil,
                                        videoStartOffset: reader.videoStartOffset, file: identity, isLive: live)
    }

    public func prepare(color: Bool) throws {
        lock.withLock { reader?.wantsColor = color }
    }

    /// How many threads the decoder runs; nil once the source is closed.
    public var decoderThreads: DecoderThreads? { lock.withLock { reader?.decoderThreads } }

    public func prepareDecoding(besideAnalysisThreads analysisThreads: Int) throws {
        let stream = sourceDescription.stream
        let threads = DecoderThreads.beside(busyThreads: analysisThreads, cores: AvailableCPUs.count,
                                            width: stream.width, height: stream.height)
        try lock.withLock { try reader?.useDecoderThreads(threads) }
    }

    public func nextFrame() throws -> VideoFrame? {
        guard let reader = lock.withLock({ reachedDuration ? nil : reader }) else { return nil }
        guard let frame = try reader.nextFrame() else { return nil }
        guard let duration else { return frame }
        let start = firstFrameTime ?? frame.time
        firstFrameTime = start
        if frame.time - start >= duration {
            lock.withLock { reachedDuration = true }
            interrupt.stop()
            return nil
        }
        return frame
    }

    /// Ends reading: a read blocked on the network or a device returns, and `nextFrame()` soon returns nil.
    public func endInput() { interrupt.stop() }

    public var timestampDiscontinuities: Int { lock.withLock { reader?.discontinuitiesCorrected ?? discontinuitiesAtClose } }
    private var discontinuitiesAtClose = 0

    /// Whether the file and its decoder have been released.
    public var isClosed: Bool { lock.withLock { reader == nil } }

    public func close() {
        lock.withLock {
            discontinuitiesAtClose = reader?.discontinuitiesCorrected ?? discontinuitiesAtClose
            reader = nil
        }
    }
}

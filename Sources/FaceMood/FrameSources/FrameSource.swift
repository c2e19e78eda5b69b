import VideoIO

/// Where frames come from: a file, a pipe, a network stream, a device, or a caller that decodes itself.
///
/// A source is read once, from one thread at a time, by the analysis that owns it. `nextFrame()` returns
/// frames in presentation order and nil at the end; `close()` releases what the source holds and may be
/// called more than once.
public protocol FrameSource: AnyObject {
    /// What the source says about its video before the first frame.
    var sourceDescription: SourceDescription { get }
    /// Called once before the first `nextFrame()`: whether frames must carry colour (for drawing).
    func prepare(color: Bool) throws
    /// Called once before the first `nextFrame()` of an analysis that runs `analysisThreads` threads beside the
    /// reading: a source whose decoder runs threads of its own may run fewer (see `DecoderThreads`).
    func prepareDecoding(besideAnalysisThreads analysisThreads: Int) throws
    func nextFrame() throws -> VideoFrame?
    func close()
    /// How many timestamp discontinuities were corrected in the frames read so far.
    var timestampDiscontinuities: Int { get }
    /// How many decoded frames were not handed out (a sampling source's), so far.
    var framesLeftOut: Int { get }
    /// Ends a live source from any thread: reading stops as at the end of a file, and the frames read so
    /// far are analysed and committed. Sources that are not live may ignore it.
    func endInput()
}

extension FrameSource {
    public func prepare(color: Bool) throws {}
    public func prepareDecoding(besideAnalysisThreads analysisThreads: Int) throws {}
    public func endInput() {}
    public var timestampDiscontinuities: Int { 0 }
    public var framesLeftOut: Int { 0 }
}

/// A source's description, for the outputs' metadata and for writers that keep the source's timing.
public struct SourceDescription: Sendable {
    /// The path or name the user gave.
    public var path: String
    public var stream: VideoStreamInfo
    /// The unit of `VideoFrame.timestamp`, when frames carry one.
    public var timeBase: Rational?
    public var averageFrameRate: Rational?
    /// A file whose audio an annotated copy can carry over, when there is one.
    public var audioSource: String?
    /// Seconds from the file's start (time 0) to the video stream's start: an MP4 whose video begins after
    /// its audio has its first frame at this time.
    public var videoStartOffset: Double
    /// The file's size and modification time when it was opened; nil for pipes and frames a caller decodes.
    public var file: FileIdentity?
    /// Set when only some frames are handed out (see `SampledFrameSource`).
    public var sampling: FrameSampling?
    /// Frames arrive at the pace they are made (a camera, a screen, a network stream): the analysis never
    /// falls behind, taking the newest frame whenever it is free and counting the frames it drops, and
    /// `Cancellation.interrupt()` ends the capture with its outputs committed.
    public var isLive: Bool

    public init(path: String, stream: VideoStreamInfo, timeBase: Rational? = nil, averageFrameRate: Rational? = nil,
                audioSource: String? = nil, videoStartOffset: Double = 0, file: FileIdentity? = nil, sampling: FrameSampling? = nil,
                isLive: Bool = false) {
        self.isLive = isLive
        self.path = path
        self.stream = stream
        self.timeBase = timeBase
        self.averageFrameRate = averageFrameRate
        self.audioSource = audioSource
        self.videoStartOffset = videoStartOffset
        self.file = file
        self.sampling = sampling
    }
}

/// What reading a source found beyond its frames, for the outputs' record.
public struct DecodingReport: Sendable, Equatable {
    /// Timestamp jumps corrected as the `ffmpeg` command corrects them (see `VideoReader`).
    public var timestampDiscontinuities: Int
    /// Decoded frames that were not analysed (sampling).
    public var framesLeftOut: Int
    /// Frames of a live source dropped because a newer frame arrived before they could be analysed.
    public var framesDropped: Int
    /// A live source's first frame on the wall clock.
    public var liveClock: LiveClock?

    public init(timestampDiscontinuities: Int, framesLeftOut: Int = 0, framesDropped: Int = 0, liveClock: LiveClock? = nil) {
        self.timestampDiscontinuities = timestampDiscontinuities
        self.framesLeftOut = framesLeftOut
        self.framesDropped = framesDropped
        self.liveClock = liveClock
    }
}

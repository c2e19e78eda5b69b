import VideoIO

/// How a sampled timeline was sampled, as its JSON records it.
public struct FrameSampling: Sendable, Equatable {
    /// Grid times per second of presentation time.
    public var framesPerSecond: Double

    public init(framesPerSecond: Double) {
        self.framesPerSecond = framesPerSecond
    }

    /// The rule in words, for the JSON timeline.
    public static let rule = "the frame nearest each grid time (the first frame's time plus k/fps; the earlier frame on a tie) is analysed; other frames are left out and each row's duration_s spans until the next row's time"

    /// Rates outside this range are refused: below it a grid point per 17 minutes, above it more than any video.
    public static let framesPerSecondRange = 0.001...1000.0
}

/// Hands out only the frames nearest to a grid of presentation times, so that a long recording can be
/// summarised at a few frames per second. Every frame is still decoded (the grid needs their times); the
/// frames left out are counted. Each frame handed out keeps its index and time, and its `duration` spans
/// until the next frame handed out (for the last, until the end of the last decoded frame), so the
/// summary's seconds still add up to the video's length. Holds at most two frames.
public final class SampledFrameSource: FrameSource {
    private let base: any FrameSource
    public let sampling: FrameSampling
    private var gridStart: Double?
    private var gridIndex = 0
    /// The last frame decoded; whether it is nearest to a grid time is known once the next one is read.
    private var candidate: VideoFrame?
    private var candidateChosen = false
    /// The last frame chosen, waiting for the next chosen frame's time to get its duration.
    private var held: VideoFrame?
    private var decodedEnd = 0.0
    private var finished = false
    public private(set) var framesLeftOut = 0

    public init(base: any FrameSource, sampling: FrameSampling) throws {
        guard FrameSampling.framesPerSecondRange.contains(sampling.framesPerSecond) else {
            throw AnalysisError("sample rate: expected \(FrameSampling.framesPerSecondRange.lowerBound) to \(Int(FrameSampling.framesPerSecondRange.upperBound)) frames per second, found \(sampling.framesPerSecond)")
        }
        self.base = base
        self.sampling = sampling
    }

    public var sourceDescription: SourceDescription {
        var description = base.sourceDescription
        description.sampling = sampling
        return description
    }

    public func prepare(color: Bool) throws { try base.prepare(color: color) }
    /// Not passed on: every frame is decoded and few are analysed, so the workers leave the cores to decoding, which
    /// keeps FFmpeg's threads.
    public func prepareDecoding(besideAnalysisThreads analysisThreads: Int) throws {}
    public var timestampDiscontinuities: Int { base.timestampDiscontinuities }
    public func close() { base.close() }
    public func endInput() { base.endInput() }

    private func gridTime(_ index: Int) -> Double { (gridStart ?? 0) + Double(index) / sampling.framesPerSecond }

    public func nextFrame() throws -> VideoFrame? {
        while !finished {
            guard let frame = try base.nextFrame() else {
                finished = true
                if let last = candidate {
                    candidate = nil
                    // The last frame is nearest to every grid time left before the video's end.
                    if candidateChosen || gridTime(gridIndex) < decodedEnd {
                        if let ready = hold(last) { return ready }
                    } else {
                        framesLeftOut += 1
                    }
                }
                break
            }
            decodedEnd = max(decodedEnd, frame.time + frame.duration)
            if gridStart == nil { gridStart = frame.time }
            var frameChosen = false
            while gridTime(gridIndex) < frame.time {
                if let previous = candidate, gridTime(gridIndex) - previous.time <= frame.time - gridTime(gridIndex) {
                    candidateChosen = true
                } else {
                    frameChosen = true
                }
                gridIndex += 1
            }
            let previous = candidate
            let previousChosen = candidateChosen
            candidate = frame
            candidateChosen = frameChosen
            if let previous {
                if previousChosen {
                    if let ready = hold(previous) { return ready }
                } else {
                    framesLeftOut += 1
                }
            }
        }
        guard var last = held else { return nil }
        held = nil
        last.duration = max(0, decodedEnd - last.time)
        return last
    }

    /// Holds `frame` and returns the frame held before it, its duration now known.
    private func hold(_ frame: VideoFrame) -> VideoFrame? {
        defer { held = frame }
        guard var ready = held else { return nil }
        ready.duration = max(0, frame.time - ready.time)
        return ready
    }
}

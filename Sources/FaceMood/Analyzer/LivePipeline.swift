import Foundation
import Imaging
import VideoIO

/// The analysis of a live source never falls behind it. A decoding thread reads at the source's pace and
/// leaves only its newest frame in a one-frame slot; the calling thread analyses the newest frame whenever it
/// is free, then writes it. A frame replaced in the slot before it was taken is dropped and counted, so a
/// slow analysis yields fewer rows, each at its frame's own time, never a backlog.
///
/// Frames are analysed one after another on one thread: a live frame is analysed as it arrives, which
/// spreading segments over threads would delay. A full search starts every segment of the source's frames
/// (by frame index, so that drops do not stretch the interval); between them the detector tracks.
enum LivePipeline {
    /// Returns the number of frames dropped and when the first frame arrived on the wall clock.
    static func run(source: any FrameSource, segmentLength: Int, cancellation: Cancellation, clock: StageClock?,
                    analyzer: FrameAnalyzer, consume: (AnalysisPipeline.Analyzed) throws -> Void) throws -> (dropped: Int, clock: LiveClock?) {
        // The first search of a frame size sets up the detector's working memory; done now, it does not make
        // the first frames of the capture wait.
        let stream = source.sourceDescription.stream
        if let pixels = ImageLimits.pixelCount(width: stream.width, height: stream.height),
           let blank = try? VideoFrame(index: 0, time: 0, duration: 0,
                                       gray: GrayImage(width: stream.width, height: stream.height, pixels: [UInt8](repeating: 0, count: pixels))) {
            _ = try? analyzer.analyze(blank)
            analyzer.startSegment()
        }
        let slot = NewestFrameSlot()
        let decoding = DecodingOutcome()
        let finished = DispatchGroup()
        let reader = UncheckedBox(source)
        let wake = cancellation.onCancel { [weak slot] in
            // Interrupted: the capture ends as at the end of its source; cancelled: it stops now.
            if cancellation.isInterrupted { reader.value.endInput() } else { slot?.close() }
        }
        finished.enter()
        Thread.detachNewThread {
            defer { finished.leave() }
            do {
                var first = true
                while let frame = try clock.measure(.decode, { try reader.value.nextFrame() }) {
                    if first { decoding.clock = LiveClock(frameTime: frame.time, decodedAt: frame.decodedAt) }
                    first = false
                    guard slot.put(frame) else { break }
                }
            } catch {
                decoding.error = error
            }
            slot.finish()
        }
        defer {
            cancellation.removeHandler(wake)
            // However this ends, the decoding thread stops before the source can be closed.
            reader.value.endInput()
            slot.close()
            finished.wait()
        }
        analyzer.clock = clock
        let segmentLength = max(segmentLength, 1)
        var segment: Int?
        while let frame = slot.take() {
            if cancellation.isCancelled && !cancellation.isInterrupted { throw CancellationError() }
            if segment != frame.index / segmentLength {
                segment = frame.index / segmentLength
                analyzer.startSegment()
            }
            try consume((try analyzer.analyze(frame), frame))
        }
        if cancellation.isCancelled && !cancellation.isInterrupted { throw CancellationError() }
        if let error = decoding.error { throw error }
        return (slot.dropped, decoding.clock)
    }
}

/// Holds at most one frame: the newest. `put` replaces a frame not yet taken (counting it as dropped) and
/// never waits; `take` waits for a frame and returns nil once finished and empty, or closed.
final class NewestFrameSlot: ClosableWait, @unchecked Sendable {
    private var frame: VideoFrame?
    private var ended = false
    private var droppedFrames = 0

    /// False once closed.
    func put(_ newest: VideoFrame) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        if frame != nil { droppedFrames += 1 }
        frame = newest
        condition.signal()
        return true
    }

    func take() -> VideoFrame? {
        condition.lock()
        defer { condition.unlock() }
        while frame == nil && !ended && !closed { condition.wait() }
        guard !closed else { return nil }
        defer { frame = nil }
        return frame
    }

    /// No more frames will be put; the last one can still be taken.
    func finish() {
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    var dropped: Int {
        condition.lock()
        defer { condition.unlock() }
        return droppedFrames
    }
}

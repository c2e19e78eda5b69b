import Foundation
import VideoIO

/// Decoding, analysis and writing overlap: a decoding thread cuts the video into segments of consecutive
/// frames, `workers` threads analyse segments in parallel (each segment on its own, so the result does not
/// depend on the number of threads), and the calling thread receives the results in frame order.
/// A segment goes to a worker with its first frame and its other frames follow as they are decoded, so a
/// worker does not wait for a whole segment to be decoded (on a short video that wait was a sixth of the run).
/// At most `workers * 2 + 1` segments are in flight, so memory does not grow with the video's length.
enum AnalysisPipeline {
    typealias Analyzed = (result: FrameResult, frame: VideoFrame)

    /// Each worker takes a `FrameAnalyzer` from `analyzers` and gives it back when the video is done.
    static func run(source: any FrameSource, segmentLength: Int, workers: Int, cancellation: Cancellation, clock: StageClock?,
                    analyzers: FrameAnalyzerPool, consume: (Analyzed) throws -> Void) throws {
        let workers = max(workers, 1)
        let segmentLength = max(segmentLength, 1)
        let work = BlockingQueue<(index: Int, frames: BlockingQueue<VideoFrame>)>()
        let results = SegmentResults()
        let slots = Slots(capacity: workers * 2 + 1)
        let stop = Cancellation()
        let decoding = DecodingOutcome()
        let threads = DispatchGroup()
        let reader = UncheckedBox(source)
        let wakeOnCancel = cancellation.onCancel {
            stop.cancel()
            slots.close()
            results.close()
        }

        threads.enter()
        Thread.detachNewThread {
            defer { threads.leave() }
            var index = 0
            // The segment being filled and how many frames it has; its worker waits on it until it is closed.
            var segment: BlockingQueue<VideoFrame>?
            var count = 0
            do {
                while !stop.isCancelled, let frame = try clock.measure(.decode, { try reader.value.nextFrame() }) {
                    if segment == nil {
                        guard slots.acquire() else { break }
                        let started = BlockingQueue<VideoFrame>()
                        work.push((index, started))
                        index += 1
                        segment = started
                        count = 0
                    }
                    segment?.push(frame)
                    count += 1
                    if count == segmentLength {
                        segment?.close()
                        segment = nil
                    }
                }
            } catch {
                decoding.error = error
            }
            segment?.close()
            results.finish(segments: index)
            work.close()
            // No frame is read after this one; closing here (joining the decoder's own threads) overlaps with
            // the workers' last segments instead of following them.
            reader.value.close()
        }
        for _ in 0..<workers {
            threads.enter()
            Thread.detachNewThread {
                defer { threads.leave() }
                let analyzer = analyzers.take()
                defer { analyzers.giveBack(analyzer) }
                analyzer.clock = clock
                while let (index, frames) = work.pop() {
                    if stop.isCancelled { continue }
                    analyzer.startSegment()
                    results.put(index, Result {
                        var analyzed: [Analyzed] = []
                        while let frame = frames.pop() {
                            if stop.isCancelled { throw CancellationError() }
                            analyzed.append((try analyzer.analyze(frame), frame))
                        }
                        return analyzed
                    })
                }
            }
        }

        defer {
            // However this ends (done, a write failed, cancelled), stop the decoder and the workers, wake any of
            // them that wait, and wait for them, so no thread outlives the call and the source can be closed.
            cancellation.removeHandler(wakeOnCancel)
            stop.cancel()
            slots.close()
            work.close()
            threads.wait()
        }
        var next = 0
        while let segment = results.take(next) {
            if cancellation.isCancelled { throw CancellationError() }
            for analyzed in try segment.get() { try consume(analyzed) }
            slots.release()
            next += 1
        }
        if cancellation.isCancelled { throw CancellationError() }
        if let error = decoding.error { throw error }
    }
}

/// A condition its waiters share with a flag that `close` sets for good, waking every one of them.
class ClosableWait: @unchecked Sendable {
    let condition = NSCondition()
    var closed = false

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// A counting gate without DispatchSemaphore's rule that it must end at its initial value: `close` wakes
/// every waiter for good.
final class Slots: ClosableWait, @unchecked Sendable {
    private var free: Int

    init(capacity: Int) {
        free = capacity
        super.init()
    }

    /// Takes a slot, waiting for one; false once closed.
    func acquire() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while free == 0 && !closed { condition.wait() }
        guard !closed else { return false }
        free -= 1
        return true
    }

    func release() {
        condition.lock()
        free += 1
        condition.signal()
        condition.unlock()
    }
}

/// A blocking FIFO; `pop` returns nil once the queue is closed and empty. It holds at most a few segments (or one
/// segment's frames), and nothing it has handed out: a popped segment's frames are freed as soon as their results
/// are written.
final class BlockingQueue<Element>: ClosableWait, @unchecked Sendable {
    private var items: [Element] = []

    func push(_ item: Element) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        return items.isEmpty ? nil : items.removeFirst()
    }
}

/// Analysed segments by index, handed out in order.
final class SegmentResults: ClosableWait, @unchecked Sendable {
    private var segments: [Int: Result<[AnalysisPipeline.Analyzed], Error>] = [:]
    private var total: Int?

    func put(_ index: Int, _ segment: Result<[AnalysisPipeline.Analyzed], Error>) {
        condition.lock()
        segments[index] = segment
        condition.broadcast()
        condition.unlock()
    }

    /// Segment `index`, waiting for it; nil when the video has fewer segments or the wait was closed.
    func take(_ index: Int) -> Result<[AnalysisPipeline.Analyzed], Error>? {
        condition.lock()
        defer { condition.unlock() }
        while segments[index] == nil {
            if closed { return nil }
            if let total, index >= total { return nil }
            condition.wait()
        }
        return segments.removeValue(forKey: index)
    }

    func finish(segments count: Int) {
        condition.lock()
        total = count
        condition.broadcast()
        condition.unlock()
    }
}

/// What the decoding thread found beside its frames: the error that ended it, a live source's first frame's
/// wall-clock time.
final class DecodingOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    private var storedClock: LiveClock?

    var error: Error? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    var clock: LiveClock? {
        get { lock.withLock { storedClock } }
        set { lock.withLock { storedClock = newValue } }
    }
}

/// Hands a non-Sendable value to exactly one other thread, which alone uses it from then on.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

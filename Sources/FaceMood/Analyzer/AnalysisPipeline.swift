import Foundation
import VideoIO

/// Decoding, analysis and writing overlap: a decoding thread cuts the video into segments of consecutive
/// frames, `workers` threads analyse segments in parallel (each segment's detections on their own, so the result does
/// not depend on the number of threads), and the calling thread receives the results in frame order.
/// A segment goes to a worker with its first frame and its other frames follow as they are decoded, so a
/// worker does not wait for a whole segment to be decoded (on a short video that wait was a sixth of the run); a worker
/// that would wait classifies faces other workers found (`SegmentScheduler`).
/// At most `workers * 2 + 1` segments are in flight, so memory does not grow with the video's length.
enum AnalysisPipeline {
    typealias Analyzed = (result: FrameResult, frame: VideoFrame)

    /// Each worker takes a `FrameAnalyzer` from `analyzers` and gives it back when the video is done. Returns how many
    /// faces were classified by a worker other than the one that found them.
    @discardableResult
    static func run(source: any FrameSource, segmentLength: Int, workers: Int, cancellation: Cancellation, clock: StageClock?,
                    analyzers: FrameAnalyzerPool, consume: (Analyzed) throws -> Void) throws -> Int {
        let workers = max(workers, 1)
        let segmentLength = max(segmentLength, 1)
        let results = SegmentResults()
        let scheduler = SegmentScheduler(results: results)
        let slots = Slots(capacity: workers * 2 + 1)
        let stop = Cancellation()
        let decoding = DecodingOutcome()
        let threads = DispatchGroup()
        let reader = UncheckedBox(source)
        let wakeOnCancel = cancellation.onCancel {
            stop.cancel()
            slots.close()
            results.close()
            scheduler.stop()
        }

        threads.enter()
        Thread.detachNewThread {
            defer { threads.leave() }
            // The segment being filled and how many frames it has; its worker waits on it until it is closed.
            var segment: SegmentScheduler.Segment?
            var count = 0
            do {
                while !stop.isCancelled, let frame = try clock.measure(.decode, { try reader.value.nextFrame() }) {
                    if segment == nil {
                        guard slots.acquire() else { break }
                        segment = scheduler.startSegment()
                        count = 0
                    }
                    scheduler.push(frame, to: segment!)
                    count += 1
                    if count == segmentLength {
                        scheduler.close(segment!)
                        segment = nil
                    }
                }
            } catch {
                decoding.error = error
            }
            if let segment { scheduler.close(segment) }
            results.finish(segments: scheduler.endDecoding())
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
                work(with: analyzer, scheduler: scheduler, stop: stop)
            }
        }

        defer {
            // However this ends (done, a write failed, cancelled), stop the decoder and the workers, wake any of
            // them that wait, and wait for them, so no thread outlives the call and the source can be closed.
            cancellation.removeHandler(wakeOnCancel)
            stop.cancel()
            slots.close()
            scheduler.stop()
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
        return scheduler.sharedClassifications
    }

    /// One worker's loop: its own segment's detections first, other workers' classifications while it would wait.
    private static func work(with analyzer: FrameAnalyzer, scheduler: SegmentScheduler, stop: Cancellation) {
        var segment: SegmentScheduler.Segment?
        while true {
            switch scheduler.nextWork(for: analyzer, segment: segment) {
            case .finished:
                return
            case .start(let started):
                analyzer.startSegment()
                segment = started
            case .segmentDetected:
                segment = nil
            case .detect(let frame, let position, let current):
                do {
                    if stop.isCancelled { throw CancellationError() }
                    let faces = try analyzer.detect(frame)
                    if !faces.isEmpty, analyzer.classifies {
                        scheduler.offer(.init(segment: current, position: position, frame: frame, detections: faces,
                                              detectedBy: ObjectIdentifier(analyzer)))
                    } else {
                        scheduler.complete(current, position: position,
                                           with: (FrameResult(frame: frame, detections: faces, face: nil), frame))
                    }
                } catch {
                    scheduler.fail(current, with: error)
                }
            case .classify(let classification):
                do {
                    if stop.isCancelled { throw CancellationError() }
                    let face = try classification.detections.first.flatMap { try analyzer.classify($0, in: classification.frame) }
                    let result = FrameResult(frame: classification.frame, detections: classification.detections, face: face)
                    scheduler.complete(classification.segment, position: classification.position, with: (result, classification.frame))
                } catch {
                    scheduler.fail(classification.segment, with: error)
                }
            }
        }
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

import Foundation

/// Decoding, analysis and writing overlap: a decoding thread cuts the video into segments of consecutive
/// frames, `workers` threads analyse segments in parallel (each segment on its own, so the result does not
/// depend on the number of threads), and the calling thread receives the rows in frame order.
/// At most `workers * 2 + 1` segments are in flight, so memory does not grow with the video's length.
enum AnalysisPipeline {
    struct Analyzed: Sendable {
        let frame: VideoFrame
        let row: TimelineRow
    }

    static func run(reader: VideoReader, segmentLength: Int, workers: Int, clock: StageClock? = nil,
                    makeAnalyzer: @escaping @Sendable () -> FrameAnalyzer,
                    consume: (Analyzed) throws -> Void) throws {
        let workers = max(workers, 1)
        let capacity = workers * 2 + 1
        let work = BlockingQueue<(index: Int, frames: [VideoFrame])>()
        let results = SegmentResults()
        let slots = DispatchSemaphore(value: capacity)
        let done = DispatchGroup()
        let decoding = DecodingState()
        let source = UncheckedBox(reader)

        done.enter()
        Thread.detachNewThread {
            defer { done.leave() }
            var index = 0
            var segment: [VideoFrame] = []
            do {
                while let frame = try clock.measure(.decode, { try source.value.nextFrame() }) {
                    segment.append(frame)
                    if segment.count == segmentLength {
                        slots.wait()
                        if decoding.cancelled { break }
                        work.push((index, segment))
                        index += 1
                        segment = []
                    }
                }
                if !segment.isEmpty && !decoding.cancelled {
                    slots.wait()
                    work.push((index, segment))
                    index += 1
                }
            } catch {
                decoding.error = error
            }
            results.finish(segments: index)
            work.close()
        }
        for _ in 0..<workers {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                let analyzer = makeAnalyzer()
                analyzer.clock = clock
                while let (index, frames) = work.pop() {
                    analyzer.startSegment()
                    results.put(index, frames.map { Analyzed(frame: $0, row: analyzer.analyze($0)) })
                }
            }
        }

        defer {
            // On an early exit (a write failed) let the decoder and the workers run out, then wait for them.
            decoding.cancelled = true
            work.close()
            for _ in 0..<capacity { slots.signal() }
            done.wait()
        }
        var next = 0
        while let segment = results.take(next) {
            for analyzed in segment { try consume(analyzed) }
            slots.signal()
            next += 1
        }
        if let error = decoding.error { throw error }
    }
}

/// A blocking FIFO; `pop` returns nil once the queue is closed and empty.
final class BlockingQueue<Element>: @unchecked Sendable {
    private var items: [Element] = []
    private var closed = false
    private let condition = NSCondition()

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

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Analysed segments by index, handed out in order.
final class SegmentResults: @unchecked Sendable {
    private var segments: [Int: [AnalysisPipeline.Analyzed]] = [:]
    private var total: Int?
    private let condition = NSCondition()

    func put(_ index: Int, _ segment: [AnalysisPipeline.Analyzed]) {
        condition.lock()
        segments[index] = segment
        condition.broadcast()
        condition.unlock()
    }

    /// Segment `index`, waiting for it; nil when the video has fewer segments.
    func take(_ index: Int) -> [AnalysisPipeline.Analyzed]? {
        condition.lock()
        defer { condition.unlock() }
        while segments[index] == nil {
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

final class DecodingState: @unchecked Sendable {
    private let lock = NSLock()
    private var _error: Error?
    private var _cancelled = false

    var error: Error? {
        get { lock.withLock { _error } }
        set { lock.withLock { _error = newValue } }
    }

    var cancelled: Bool {
        get { lock.withLock { _cancelled } }
        set { lock.withLock { _cancelled = newValue } }
    }
}

/// Hands a non-Sendable value to exactly one other thread, which alone uses it from then on.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

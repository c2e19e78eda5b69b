import Foundation

/// The per-frame results of one analysis, in frame order (see `EmotionAnalyzer.results(for:)`).
public struct AnalysisResults: AsyncSequence, Sendable {
    public typealias Element = FrameResult

    let analyzer: EmotionAnalyzer
    let source: UncheckedBox<any FrameSource>

    public func makeAsyncIterator() -> Iterator {
        let channel = ResultChannel(capacity: 8)
        let analyzer = self.analyzer, source = self.source
        Thread.detachNewThread {
            defer { source.value.close() }
            do {
                guard !channel.cancellation.isCancelled else { throw CancellationError() }
                try source.value.prepare(color: analyzer.detector.needsColor)
                try analyzer.analyze(source.value, cancellation: channel.cancellation, clock: nil) { analyzed in
                    guard channel.put(analyzed.result) else { throw CancellationError() }
                }
                channel.finish(nil)
            } catch {
                channel.finish(error)
            }
        }
        return Iterator(channel: channel)
    }

    /// Dropping the iterator (leaving the loop) stops the analysis.
    public final class Iterator: AsyncIteratorProtocol {
        private let channel: ResultChannel

        init(channel: ResultChannel) { self.channel = channel }

        public func next() async throws -> FrameResult? {
            try await channel.next()
        }

        deinit { channel.cancel() }
    }
}

/// Hands results from the analysis thread to an async consumer, at most `capacity` ahead of it: the
/// producer blocks while the buffer is full, so a slow consumer slows the analysis instead of growing memory.
final class ResultChannel: @unchecked Sendable {
    let cancellation = Cancellation()
    private let capacity: Int
    private let condition = NSCondition()
    private var buffer: [FrameResult] = []
    private var waiting: CheckedContinuation<FrameResult?, Error>?
    private var ended = false
    private var failure: Error?
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; false once the consumer has gone.
    func put(_ result: FrameResult) -> Bool {
        condition.lock()
        while buffer.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else {
            condition.unlock()
            return false
        }
        if let consumer = waiting {
            waiting = nil
            condition.unlock()
            consumer.resume(returning: result)
        } else {
            buffer.append(result)
            condition.unlock()
        }
        return true
    }

    func finish(_ error: Error?) {
        condition.lock()
        ended = true
        let consumer = waiting
        waiting = nil
        // A waiting consumer hears the error now; otherwise the next call to `next()` does.
        failure = consumer == nil ? error : nil
        condition.unlock()
        if let error { consumer?.resume(throwing: error) } else { consumer?.resume(returning: nil) }
    }

    func next() async throws -> FrameResult? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (consumer: CheckedContinuation<FrameResult?, Error>) in
                condition.lock()
                if !buffer.isEmpty {
                    let result = buffer.removeFirst()
                    condition.signal()
                    condition.unlock()
                    consumer.resume(returning: result)
                } else if ended {
                    let error = failure
                    failure = nil
                    condition.unlock()
                    if let error { consumer.resume(throwing: error) } else { consumer.resume(returning: nil) }
                } else if cancelled {
                    condition.unlock()
                    consumer.resume(throwing: CancellationError())
                } else {
                    waiting = consumer
                    condition.unlock()
                }
            }
        } onCancel: {
            cancel()
        }
    }

    func cancel() {
        condition.lock()
        cancelled = true
        let consumer = waiting
        waiting = nil
        condition.broadcast()
        condition.unlock()
        cancellation.cancel()
        consumer?.resume(throwing: CancellationError())
    }
}

import Foundation

/// Stops an analysis from another thread. `cancel()`: decoding and the workers stop at the next frame, the
/// outputs are discarded, and the analysis throws `CancellationError`. `interrupt()` (what a signal does):
/// a live capture ends as if its source had ended, its outputs complete and committed; any other analysis
/// is cancelled, and so is every analysis started after it.
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var interrupted = false
    private var handlers: [Int: @Sendable () -> Void] = [:]
    private var nextHandler = 0

    public init() {}

    /// Whether an analysis that is not live must stop (after `cancel()` or `interrupt()`).
    public var isCancelled: Bool { lock.withLock { cancelled || interrupted } }

    /// Whether a live capture must end normally: interrupted, and not cancelled.
    public var isInterrupted: Bool { lock.withLock { interrupted && !cancelled } }

    public func cancel() {
        stop { cancelled = true }
    }

    public func interrupt() {
        stop { interrupted = true }
    }

    private func stop(_ mark: () -> Void) {
        let toRun: [@Sendable () -> Void] = lock.withLock {
            let wasCancelled = cancelled, wasStopped = cancelled || interrupted
            mark()
            // A cancel after an interrupt wakes the handlers again: a live capture ending normally must stop now.
            return !wasStopped || (cancelled && !wasCancelled) ? Array(handlers.values) : []
        }
        for handler in toRun { handler() }
    }

    /// Runs `handler` on cancellation or interruption (at once if either happened already), for waits that
    /// must be woken, until `removeHandler` is called with the returned key: one cancellation serves a whole
    /// run of many inputs, and must not keep every finished analysis alive.
    func onCancel(_ handler: @escaping @Sendable () -> Void) -> Int? {
        let key: Int? = lock.withLock {
            if cancelled || interrupted { return nil }
            nextHandler += 1
            handlers[nextHandler] = handler
            return nextHandler
        }
        if key == nil { handler() }
        return key
    }

    func removeHandler(_ key: Int?) {
        guard let key else { return }
        lock.withLock { _ = handlers.removeValue(forKey: key) }
    }
}

import Foundation

/// Stops an analysis from another thread: decoding and the workers stop at the next frame, the outputs
/// are discarded, and the analysis throws `CancellationError`.
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var handlers: [@Sendable () -> Void] = []

    public init() {}

    public var isCancelled: Bool { lock.withLock { cancelled } }

    public func cancel() {
        let toRun: [@Sendable () -> Void] = lock.withLock {
            guard !cancelled else { return [] }
            cancelled = true
            defer { handlers.removeAll() }
            return handlers
        }
        for handler in toRun { handler() }
    }

    /// Runs `handler` once on cancellation (at once if already cancelled), for waits that must be woken.
    func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let runNow: Bool = lock.withLock {
            if cancelled { return true }
            handlers.append(handler)
            return false
        }
        if runNow { handler() }
    }
}

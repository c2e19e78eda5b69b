import Foundation

/// Stops an analysis from another thread: decoding and the workers stop at the next frame, the outputs
/// are discarded, and the analysis throws `CancellationError`.
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var handlers: [Int: @Sendable () -> Void] = [:]
    private var nextHandler = 0

    public init() {}

    public var isCancelled: Bool { lock.withLock { cancelled } }

    public func cancel() {
        let toRun: [@Sendable () -> Void] = lock.withLock {
            guard !cancelled else { return [] }
            cancelled = true
            defer { handlers.removeAll() }
            return Array(handlers.values)
        }
        for handler in toRun { handler() }
    }

    /// Runs `handler` once on cancellation (at once if already cancelled), for waits that must be woken,
    /// until `removeHandler` is called with the returned key: one cancellation serves a whole run of many
    /// inputs, and must not keep every finished analysis alive.
    func onCancel(_ handler: @escaping @Sendable () -> Void) -> Int? {
        let key: Int? = lock.withLock {
            if cancelled { return nil }
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

import Foundation

/// Where an analysis spends its time, stage by stage, summed over threads (for `make bench`).
public final class StageClock: @unchecked Sendable {
    public enum Stage: String, CaseIterable, Sendable {
        case decode, detect, classify = "crop+classify", write, overlay = "overlay encode"
    }

    private let lock = NSLock()
    private var nanoseconds: [Stage: UInt64] = [:]

    public init() {}

    /// Runs `body`, adding its duration to `stage`.
    @inline(__always)
    func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            lock.withLock { nanoseconds[stage, default: 0] += elapsed }
        }
        return try body()
    }

    public func seconds(_ stage: Stage) -> Double {
        lock.withLock { Double(nanoseconds[stage] ?? 0) / 1e9 }
    }
}

extension Optional where Wrapped == StageClock {
    @inline(__always)
    func measure<T>(_ stage: StageClock.Stage, _ body: () throws -> T) rethrows -> T {
        if let clock = self { return try clock.measure(stage, body) }
        return try body()
    }
}

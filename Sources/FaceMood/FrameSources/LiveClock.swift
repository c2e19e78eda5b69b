import Foundation

/// When a live source's first frame arrived, on the wall clock (UTC), beside its time on the source's clock:
/// what syncs a capture's timeline with other recordings.
public struct LiveClock: Sendable, Equatable {
    /// Seconds and nanoseconds since 1970-01-01 UTC.
    public var seconds: Int64
    public var nanoseconds: Int64
    /// The first frame's `time_s`.
    public var time: Double

    public init(seconds: Int64, nanoseconds: Int64, time: Double) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.time = time
    }

    /// The wall clock when a frame that left the decoder at `decodedAt` (`DispatchTime` nanoseconds) did.
    init(frameTime: Double, decodedAt: UInt64?) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let age = decodedAt.map { Int64(DispatchTime.now().uptimeNanoseconds &- $0) } ?? 0
        let total = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec) - max(age, 0)
        self.init(seconds: total / 1_000_000_000, nanoseconds: total % 1_000_000_000, time: frameTime)
    }

    public var utcText: String { FileIdentity.utcText(seconds: seconds, nanoseconds: nanoseconds) }
}

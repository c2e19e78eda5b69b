#if canImport(Glibc)
import Foundation
import Testing
@testable import VideoIO

/// Frames' pixels freed after one frame are reused for the next instead of faulted in again page by page (glibc only:
/// elsewhere the settings do nothing).
@Suite struct FrameBufferAllocationTests {
    /// Whether this process allocates with glibc's malloc: the address and thread sanitizers bring their own allocator.
    static let usesGlibcAllocator = dlsym(nil, "__asan_init") == nil && dlsym(nil, "__tsan_init") == nil

    /// Minor page faults of the calling thread so far (`RUSAGE_THREAD`, Linux's 1).
    static func threadPageFaults() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(1), &usage)
        return usage.ru_minflt
    }

    /// Frames handed from one thread to another, at most a few at a time.
    final class Handoff: @unchecked Sendable {
        private let condition = NSCondition()
        private var frames: [[UInt8]] = []
        private var finished = false
        private(set) var producerFaults = 0

        func put(_ frame: [UInt8]) {
            condition.lock()
            while frames.count >= 4 { condition.wait() }
            frames.append(frame)
            condition.broadcast()
            condition.unlock()
        }

        /// The next frame, or nil once the producer is done and every frame was taken.
        func take() -> [UInt8]? {
            condition.lock()
            defer { condition.unlock() }
            while frames.isEmpty && !finished { condition.wait() }
            if frames.isEmpty { return nil }
            condition.broadcast()
            return frames.removeFirst()
        }

        func finish(faults: Int) {
            condition.lock()
            finished = true
            producerFaults = faults
            condition.broadcast()
            condition.unlock()
        }
    }

    /// 120 frames of RGB and gray pixels (640×360) allocated and written in full on one thread and freed on another, a
    /// few frames behind, as the decoding and writing threads do: with the settings the producer's pages come back from
    /// the heap; with glibc's defaults they are returned to the system and faulted in again.
    @Test(.enabled(if: usesGlibcAllocator, "a sanitizer's allocator replaces glibc's"))
    func freedFrameBuffersAreReusedForTheNextFrames() throws {
        #expect(FrameBufferAllocation.keepFreedBuffers(), "glibc's mallopt refused the thresholds")
        let handoff = Handoff()
        let producer = Thread {
            let start = Self.threadPageFaults()
            for index in 0..<120 {
                handoff.put([UInt8](repeating: UInt8(index & 0x7F), count: 640 * 360 * 3))
                handoff.put([UInt8](repeating: UInt8(index & 0x7F), count: 640 * 360))
            }
            handoff.finish(faults: Self.threadPageFaults() - start)
        }
        producer.start()
        var taken = 0
        while let frame = handoff.take() {
            #expect(frame[frame.count / 2] == UInt8((taken / 2) & 0x7F))
            taken += 1
        }
        #expect(taken == 240)
        // Each pair of frames is 225 pages.
        let pages = 120 * 225
        #expect(handoff.producerFaults < pages / 10, "\(handoff.producerFaults) page faults for 120 frames of 225 pages")
    }
}
#endif

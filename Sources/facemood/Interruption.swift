import FaceMood
import Foundation
import TimelineOutputs

/// SIGINT, SIGTERM and SIGHUP end a run cleanly: the handler only records the signal and interrupts the
/// analysis. A live capture then ends as at the end of its source, its outputs complete and committed, and
/// the command exits normally; any other analysis stops at the next frame, discards its unfinished outputs,
/// and the command exits with 128 + the signal number. A run stuck in a blocking read (a pipe) is ended after
/// a grace period by removing the temporary files and exiting from the handler's queue; a live capture,
/// whose reads the library itself unblocks, gets a longer one to write its outputs out.
enum Interruption {
    static let cancellation = Cancellation()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var received: Int32?
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    static let gracePeriod: TimeInterval = 2
    static let liveGracePeriod: TimeInterval = 30
    nonisolated(unsafe) private static var live = false

    /// A live capture is under way: a signal ends it normally, and it gets `liveGracePeriod` to do so.
    static func liveCaptureStarted() { lock.withLock { live = true } }

    static var signal: Int32? { lock.withLock { received } }

    static func install() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let first: Bool = lock.withLock {
                    guard received == nil else { return false }
                    received = number
                    return true
                }
                guard first else { return }
                cancellation.interrupt()
                let grace = lock.withLock { live } ? liveGracePeriod : gracePeriod
                DispatchQueue.global().asyncAfter(deadline: .now() + grace) {
                    TemporaryFiles.removeAll()
                    report()
                    exit(128 + number)
                }
            }
            source.resume()
            lock.withLock { sources.append(source) }
        }
    }

    static func report() {
        FileHandle.standardError.write(Data("\nfacemood: interrupted; unfinished output files were removed\n".utf8))
    }

    /// After an interrupted analysis returned: says so and gives the conventional exit status.
    static func exitCode() -> Int32 {
        report()
        return 128 + (signal ?? SIGINT)
    }
}

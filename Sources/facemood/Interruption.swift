import FaceMood
import Foundation
import TimelineOutputs

/// SIGINT, SIGTERM and SIGHUP end a run cleanly: the handler only records the signal and cancels the
/// analysis; the analysis then stops at the next frame, discards its unfinished outputs, and the command
/// exits with 128 + the signal number. A run stuck in a blocking read is ended after a grace period by
/// removing the temporary files and exiting from the handler's queue.
enum Interruption {
    static let cancellation = Cancellation()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var received: Int32?
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    static let gracePeriod: TimeInterval = 2

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
                cancellation.cancel()
                DispatchQueue.global().asyncAfter(deadline: .now() + gracePeriod) {
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

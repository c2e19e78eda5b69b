import Foundation

/// A file written under a temporary name beside its destination and renamed into place by `commit()`.
/// Until then the destination is untouched; `discard()`, deinit, or an interrupt (see `OutputFiles`)
/// removes the temporary file, so a failed or interrupted run leaves nothing behind.
public final class OutputFile {
    public var destination: String { partial.destination }
    private let partial: PartialPath
    private var handle: FileHandle?
    private var buffer: [UInt8] = []

    public init(destination: String) throws {
        partial = try PartialPath(destination: destination)
        guard FileManager.default.createFile(atPath: partial.temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: partial.temporary) else {
            throw OutputError.cannotWrite(path: destination, reason: "the file cannot be created")
        }
        self.handle = handle
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        guard let handle, !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw OutputError.cannotWrite(path: destination, reason: "writing failed (\(error.localizedDescription))")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and renames the file into place.
    public func commit() throws {
        try flush()
        try? handle?.close()
        handle = nil
        try partial.commit()
    }

    public func discard() {
        try? handle?.close()
        handle = nil
        partial.discard()
    }

    deinit {
        try? handle?.close()
    }
}

public enum OutputError: Error, Equatable, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)
    case ambiguous(String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "\(path): expected a writable output file, but \(reason)"
        case let .ambiguous(message): return message
        }
    }
}

/// A temporary name beside a destination (`.<name>.<pid>.partial.<ext>`, keeping the extension so
/// tools that pick a format by name still can), registered for removal on interrupt until committed.
public final class PartialPath {
    public let destination: String
    public let temporary: String
    private var settled = false

    public init(destination: String) throws {
        self.destination = destination
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OutputError.cannotWrite(path: destination, reason: "the folder \(folder) does not exist")
        }
        guard access(folder, W_OK) == 0 else {
            throw OutputError.cannotWrite(path: destination, reason: "the folder \(folder) is not writable")
        }
        let name = url.lastPathComponent
        let ext = url.pathExtension
        temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(name).\(ProcessInfo.processInfo.processIdentifier).partial" + (ext.isEmpty ? "" : "." + ext)).path
        OutputFiles.shared.register(temporary)
    }

    /// Renames the temporary file into place.
    public func commit() throws {
        guard !settled else { return }
        if rename(temporary, destination) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw OutputError.cannotWrite(path: destination, reason: reason)
        }
        settled = true
        OutputFiles.shared.unregister(temporary)
    }

    public func discard() {
        guard !settled else { return }
        settled = true
        unlink(temporary)
        OutputFiles.shared.unregister(temporary)
    }

    deinit {
        discard()
    }
}

/// Every temporary output file in progress, so an interrupt (Ctrl-C, SIGTERM) can remove them before exiting.
public final class OutputFiles: @unchecked Sendable {
    public static let shared = OutputFiles()
    private let lock = NSLock()
    private var paths: Set<String> = []

    func register(_ path: String) { lock.withLock { _ = paths.insert(path) } }
    func unregister(_ path: String) { lock.withLock { _ = paths.remove(path) } }

    /// Removes every registered temporary file.
    public func removeAll() {
        lock.withLock {
            for path in paths { unlink(path) }
            paths.removeAll()
        }
    }

    private var signalSources: [DispatchSourceSignal] = []

    /// On SIGINT or SIGTERM: remove the temporary files, then exit with 128 + the signal number.
    public func removeOnInterrupt() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                self?.removeAll()
                FileHandle.standardError.write(Data("\nfacemood: interrupted; unfinished output files were removed\n".utf8))
                exit(128 + signalNumber)
            }
            source.resume()
            signalSources.append(source)
        }
    }
}

import Foundation

/// A temporary name beside a destination (`.<name>.<pid>.partial.<ext>`, keeping the extension so tools
/// that pick a format by name still can), renamed into place by `commit()`. Until then the destination is
/// untouched; `discard()` or deinit removes the temporary file, and `TemporaryFiles.removeAll()` (which the
/// command-line tool calls on a signal) removes every one still in progress.
///
/// Every file output goes through this one decorator: text timelines through `AtomicTextFile`, videos
/// by writing to `temporary`.
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
        TemporaryFiles.register(temporary)
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
        TemporaryFiles.unregister(temporary)
    }

    public func discard() {
        guard !settled else { return }
        settled = true
        unlink(temporary)
        TemporaryFiles.unregister(temporary)
    }

    deinit {
        discard()
    }
}

/// Every temporary output file in progress in this process, so that a signal handler can remove them.
/// The library installs no handler itself.
public enum TemporaryFiles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: Set<String> = []

    static func register(_ path: String) { lock.withLock { _ = paths.insert(path) } }
    static func unregister(_ path: String) { lock.withLock { _ = paths.remove(path) } }

    /// Removes every registered temporary file.
    public static func removeAll() {
        lock.withLock {
            for path in paths { unlink(path) }
            paths.removeAll()
        }
    }

    /// The registered paths, for tests.
    public static var inProgress: Set<String> { lock.withLock { paths } }
}

/// Where a text output goes: a file that appears complete or not at all, or a stream such as stdout.
public protocol TextDestination: AnyObject {
    /// The name errors use: the path the user gave, or "stdout".
    var name: String { get }
    func write(_ text: String) throws
    /// Writes out what is buffered so far (a live timeline does after every row, so the rows are on disk).
    func flush() throws
    /// Writes out everything buffered; the text is complete.
    func finish() throws
    /// Makes a finished file visible under its final name (nothing for a stream).
    func commit() throws
    func discard()
}

/// A text file written under a temporary name (see `PartialPath`), buffered.
public final class AtomicTextFile: TextDestination {
    public var name: String { partial.destination }
    private let partial: PartialPath
    private var handle: FileHandle?
    private var buffer: [UInt8] = []

    public init(destination: String) throws {
        partial = try PartialPath(destination: destination)
        guard FileManager.default.createFile(atPath: partial.temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: partial.temporary) else {
            partial.discard()
            throw OutputError.cannotWrite(path: destination, reason: "the file cannot be created")
        }
        self.handle = handle
    }

    /// Writes `text` to `destination` whole: the file appears complete or not at all.
    public static func write(_ text: String, to destination: String) throws {
        let file = try AtomicTextFile(destination: destination)
        do {
            try file.write(text)
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func flush() throws {
        guard let handle, !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw OutputError.cannotWrite(path: name, reason: "writing failed (\(error.localizedDescription))")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    public func finish() throws {
        try flush()
        guard let handle else { return }
        self.handle = nil
        do {
            // A full disk can surface only here, when the kernel writes the data out.
            try handle.synchronize()
            try handle.close()
        } catch {
            throw OutputError.cannotWrite(path: name, reason: "writing failed (\(error.localizedDescription))")
        }
    }

    public func commit() throws {
        try finish()
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

/// Text written to standard output as it comes, line by line, so a pipe sees every line at once.
public final class StandardOutputText: TextDestination {
    public let name = "stdout"

    public init() {}

    public func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw OutputError.cannotWrite(path: name, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    public func flush() throws {}
    public func finish() throws {}
    public func commit() throws {}
    public func discard() {}
}

public enum OutputError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case cannotWrite(path: String, reason: String)
    /// Outputs of one run that would overwrite each other or an input.
    case clash(String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "\(path): expected a writable output file, but \(reason)"
        case let .clash(message): return message
        }
    }

    public var errorDescription: String? { description }
}

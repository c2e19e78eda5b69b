import Foundation

/// A file's size and modification time as `stat` reports them when it was opened: what a resumed run
/// compares to decide whether a timeline still describes the file.
public struct FileIdentity: Sendable, Equatable {
    public var sizeBytes: Int64
    /// Seconds and nanoseconds since 1970-01-01 UTC.
    public var modifiedSeconds: Int64
    public var modifiedNanoseconds: Int64

    public init(sizeBytes: Int64, modifiedSeconds: Int64, modifiedNanoseconds: Int64) {
        self.sizeBytes = sizeBytes
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
    }

    /// The identity of the regular file at `path`; nil for anything else (a pipe, a device, a missing file).
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        self.init(sizeBytes: Int64(info.st_size), modifiedSeconds: Int64(info.st_mtim.tv_sec),
                  modifiedNanoseconds: Int64(info.st_mtim.tv_nsec))
    }

    /// ISO 8601 in UTC with nanoseconds, e.g. `2026-11-26T16:50:32.123456789Z`.
    public var modifiedText: String { Self.utcText(seconds: modifiedSeconds, nanoseconds: modifiedNanoseconds) }

    /// ISO 8601 in UTC with nanoseconds for a time since 1970-01-01 UTC.
    public static func utcText(seconds: Int64, nanoseconds: Int64) -> String {
        var whole = time_t(seconds)
        var parts = tm()
        gmtime_r(&whole, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), nanoseconds)
    }
}

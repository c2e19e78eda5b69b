import CFFmpeg
import Foundation

/// How an input is opened beyond its path: a demuxer or capture device by name, options for it, and how
/// long to wait for data.
public struct InputSettings: Sendable, Equatable {
    /// The demuxer or device (`v4l2`, `x11grab`, `lavfi`, `mpegts`…); nil lets libavformat probe the input.
    public var format: String?
    /// Options of the demuxer, the device, the protocol or libavformat itself (`video_size=640x480`,
    /// `framerate=30`, `fflags=nobuffer`), applied in order. An option none of them knows is refused.
    public var options: [InputOption]
    /// Seconds without data (opening included) after which reading fails; nil waits for ever.
    public var timeout: Double?

    public init(format: String? = nil, options: [InputOption] = [], timeout: Double? = nil) {
        self.format = format
        self.options = options
        self.timeout = timeout
    }

    /// Timeouts outside this range are refused: shorter than a network's round trip, longer than a day.
    public static let timeoutRange = 0.1...86_400.0

    /// Whether `path` names a network resource (`http://`, `udp://`, `rtsp://`…) rather than a file or a pipe.
    public static func isNetworkURL(_ path: String) -> Bool {
        guard let schemeEnd = path.range(of: "://") else { return false }
        let scheme = path[..<schemeEnd.lowerBound].lowercased()
        return !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
            && !["file", "pipe"].contains(scheme)
    }
}

/// One `key=value` option of an input.
public struct InputOption: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `key=value` (the value may contain `=`); nil without a key or an `=`.
    public init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        key = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }

    public var description: String { "\(key)=\(value)" }
}

/// Ends a blocked open or read from another thread. libavformat asks it while it waits for the network
/// (and between packets), so a live capture can be ended by a signal and a silent source by a timeout.
public final class ReadInterrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    /// When the current wait times out, in `DispatchTime` nanoseconds.
    private var deadline: UInt64?
    private var expired = false

    public init() {}

    /// Ends the input: a blocked read returns at once, and reading ends as at the end of a file.
    public func stop() { lock.withLock { stopped = true } }

    public var isStopped: Bool { lock.withLock { stopped } }

    /// Whether the last wait ended because its deadline passed.
    var timedOut: Bool { lock.withLock { expired } }

    /// Starts a wait of at most `seconds` (nil: no limit).
    func arm(seconds: Double?) {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.withLock {
            expired = false
            deadline = seconds.map { now + UInt64($0 * 1e9) }
        }
    }

    fileprivate func shouldInterrupt() -> Bool {
        lock.withLock {
            if stopped { return true }
            guard let deadline else { return false }
            if DispatchTime.now().uptimeNanoseconds > deadline { expired = true }
            return expired
        }
    }

    /// The callback libavformat calls with this object as its opaque pointer; the reader keeps the object alive.
    var callback: AVIOInterruptCB {
        AVIOInterruptCB(callback: { opaque in
            guard let opaque else { return 0 }
            return Unmanaged<ReadInterrupt>.fromOpaque(opaque).takeUnretainedValue().shouldInterrupt() ? 1 : 0
        }, opaque: Unmanaged.passUnretained(self).toOpaque())
    }
}

/// Process-wide registrations libavformat needs before devices or network protocols are used; each runs once,
/// and only when an input needs it.
enum FFmpegRegistration {
    static let network: Void = { _ = avformat_network_init() }()

    /// Loads libavdevice (see `DeviceLibrary`) and registers its devices with libavformat, once; `name` is the
    /// input or output the devices are needed for, named in the error when the library cannot be loaded.
    static func registerDevices(for name: String) throws {
        if case let .failure(reason) = DeviceLibrary.registered {
            throw VideoError.cannotOpen(path: name, reason: reason.message)
        }
    }

    /// Whether `format` is one of libavdevice's capture devices (lavfi included). Before the devices are
    /// registered, libavformat cannot have opened one, and the library is not loaded just to say so.
    static func isCaptureDevice(_ format: UnsafePointer<AVInputFormat>) -> Bool {
        guard let library = DeviceLibrary.loaded else { return false }
        var device = library.nextInputVideoDevice(nil)
        while let current = device {
            if current == format { return true }
            device = library.nextInputVideoDevice(current)
        }
        return false
    }
}

import CFFmpeg
import Foundation

/// libavdevice, loaded when a capture device or the preview window is first needed rather than linked: linking
/// it loads its dependencies (SDL, X11, PulseAudio, JACK, and through libavfilter speech synthesis and SVG:
/// some 80 libraries beyond those of libavformat) into every run, which doubled the start-up time of every
/// command and added about 20 MB of resident memory to runs that read files only.
///
/// The library stays loaded for the life of the process (libavformat keeps pointers to its devices once they
/// are registered), so its handle is never closed.
final class DeviceLibrary: Sendable {
    private typealias RegisterAll = @convention(c) () -> Void
    typealias NextInputVideoDevice = @convention(c) (UnsafePointer<AVInputFormat>?) -> UnsafePointer<AVInputFormat>?

    /// `av_input_video_device_next`.
    let nextInputVideoDevice: NextInputVideoDevice

    /// The libavdevice whose headers this was built with. On macOS, where FFmpeg's libraries live outside the
    /// loader's default paths (Homebrew's prefix), Package.swift links it instead, and nil finds it in the program.
    #if os(macOS)
    static let soname: String? = nil
    #else
    static let soname: String? = "libavdevice.so.\(LIBAVDEVICE_VERSION_MAJOR)"
    #endif

    struct LoadError: Error {
        let message: String
    }

    /// The library with its devices registered with libavformat, loaded on first use, once.
    static var registered: Result<DeviceLibrary, LoadError> {
        lock.withLock {
            if let state { return state }
            let loaded = Result<DeviceLibrary, LoadError> { () throws(LoadError) in try DeviceLibrary(soname: soname) }
            state = loaded
            return loaded
        }
    }

    /// The library if `registered` has loaded it; nil otherwise, without loading it.
    static var loaded: DeviceLibrary? { lock.withLock { try? state?.get() } }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var state: Result<DeviceLibrary, LoadError>?

    /// Loads the library `soname` names (nil: the program and the libraries it links) and registers its devices.
    init(soname: String?) throws(LoadError) {
        let name = soname ?? "the program"
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_GLOBAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw LoadError(message: "capture devices and the preview window need \(name), which could not be loaded: \(reason)")
        }
        guard let register = dlsym(handle, "avdevice_register_all"), let next = dlsym(handle, "av_input_video_device_next") else {
            throw LoadError(message: "expected avdevice_register_all and av_input_video_device_next in \(name), found them missing")
        }
        nextInputVideoDevice = unsafeBitCast(next, to: NextInputVideoDevice.self)
        unsafeBitCast(register, to: RegisterAll.self)()
    }
}

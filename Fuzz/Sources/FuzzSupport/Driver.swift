import Foundation

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

nonisolated(unsafe) private var target: ((Data) -> Void)?

/// Runs libFuzzer's driver with the process's arguments (`-max_total_time=60 corpus/`, a crash file to
/// replay, …), calling `body` with every input it makes. `body` must not crash, trap or hang on any input.
public func fuzz(_ body: @escaping (Data) -> Void) -> Never {
    target = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv) { bytes, count in
        target?(bytes.map { Data(bytes: $0, count: count) } ?? Data())
        return 0
    }
    exit(status)
}

/// A file in a private temporary folder holding `data`, for code under test that reads files.
public func temporaryFile(_ data: Data, name: String) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-fuzz-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent(name)
    try? data.write(to: url)
    return url.path
}

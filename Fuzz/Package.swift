// swift-tools-version: 6.0
import Foundation
import PackageDescription

// libFuzzer harnesses for facemood's parsers, built and run by `make fuzz` (scripts/fuzz.sh passes the
// coverage and AddressSanitizer flags). Each harness is a normal executable whose main hands libFuzzer's
// driver the function under test (`LLVMFuzzerRunDriver`), linked with the `fuzzer_no_main` runtime that
// the Swift toolchain ships beside its clang.
let clangResources = URL(fileURLWithPath: ProcessInfo.processInfo.environment["FUZZER_CLANG_RESOURCES"] ?? "/opt/swift/usr/lib/clang")
let fuzzerRuntime = (try? FileManager.default.contentsOfDirectory(atPath: clangResources.path))?.sorted().last
    .map { clangResources.appendingPathComponent("\($0)/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a").path } ?? "libFuzzer-not-found"

func harness(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: dependencies + ["FuzzSupport"],
        linkerSettings: [.unsafeFlags([fuzzerRuntime]), .linkedLibrary("stdc++")]
    )
}

let package = Package(
    name: "FacemoodFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "facemood", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        harness("FuzzCascade", [.product(name: "FaceMood", package: "facemood")]),
        harness("FuzzTimeline", [.product(name: "FaceMood", package: "facemood")]),
        harness("FuzzManifest", [.product(name: "FaceMood", package: "facemood")]),
        harness("FuzzTFLite", [.product(name: "FaceMood", package: "facemood")]),
        harness("FuzzKerasModel", [.product(name: "FaceMood", package: "facemood"), .product(name: "KerasTestSupport", package: "facemood")]),
    ]
)

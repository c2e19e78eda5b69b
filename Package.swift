// swift-tools-version: 6.0
import PackageDescription

import Foundation

/// The inference, detection and resizing kernels are written with SIMD; on x86-64 they need AVX2 and FMA
/// enabled to become vector instructions (without FMA, `addingProduct` is a libm call per lane), and the
/// golden tests run thousands of detections and inferences, which unoptimised debug code stretches to tens
/// of minutes. Both need `unsafeFlags`, which SwiftPM refuses in a package that another depends on by
/// version, so they apply only when `FACEMOOD_NATIVE=1` is set — as the Makefile does for every build and
/// test of this repository. A program depending on facemood builds the same code without them (portable
/// to any x86-64; the CNN's multiply-adds are then not fused, see the README's "Embedding" section for the
/// measured cost).
let native = ProcessInfo.processInfo.environment["FACEMOOD_NATIVE"] == "1"

/// The building machine's AVX-512, when it has it, for the kernels' 16-lane blocks: a native build runs where it is
/// built (the Makefile builds, tests and installs on the machine itself). `FACEMOOD_AVX512=0` builds the AVX2
/// blocks instead, as `make test-asan` does, so that the suite covers both.
let avx512: Bool = {
    guard native, ProcessInfo.processInfo.environment["FACEMOOD_AVX512"] != "0",
          let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    let present = Set(flags.split(separator: " ").map(String.init))
    return ["avx512f", "avx512vl", "avx512bw", "avx512dq"].allSatisfy(present.contains)
}()

/// `-fno-math-errno`: glibc's math functions may set errno, so without it Swift's `squareRoot()` (clang's
/// `__builtin_sqrt`) becomes a branch and a possible library call per lane instead of one vector square root.
#if arch(x86_64)
let vectorKernels: [SwiftSetting] = native
    ? [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma", "-Xcc", "-fno-math-errno"]
                    + (avx512 ? ["-Xcc", "-mavx512f", "-Xcc", "-mavx512vl", "-Xcc", "-mavx512bw", "-Xcc", "-mavx512dq"] : [])),
       .define("FACEMOOD_FUSED_MULTIPLY_ADD")] + (avx512 ? [.define("FACEMOOD_AVX512")] : []) : []
#else
let vectorKernels: [SwiftSetting] = [.define("FACEMOOD_FUSED_MULTIPLY_ADD")]
#endif

let optimizedInDebug: [SwiftSetting] = native ? [.unsafeFlags(["-O"], .when(configuration: .debug))] : []

let package = Package(
    name: "facemood",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "facemood", targets: ["facemood"]),
        .library(name: "FaceMood", targets: ["FaceMood", "TimelineOutputs", "Corpus", "TimelineExports", "TimelineReport"]),
        // Writes Keras test models from JSON descriptions: for this repository's tests and fuzzers only.
        .library(name: "KerasTestSupport", targets: ["KerasTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavdevice-dev", "libavutil-dev", "libswscale-dev"])]
        ),
        .systemLibrary(
            name: "CFreeType",
            pkgConfig: "freetype2",
            providers: [.apt(["libfreetype-dev"])]
        ),
        .systemLibrary(name: "CAllocator"),
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .target(name: "Imaging", swiftSettings: vectorKernels + optimizedInDebug),
        // libavdevice is loaded when first needed (VideoIO's DeviceLibrary), except on macOS, where it is linked.
        .target(name: "VideoIO", dependencies: ["CAllocator", "CFFmpeg", "Imaging"], swiftSettings: vectorKernels + optimizedInDebug, linkerSettings: [.linkedLibrary("avdevice", .when(platforms: [.macOS]))]),
        .target(name: "FaceDetection", dependencies: ["Imaging"], swiftSettings: vectorKernels + optimizedInDebug),
        .target(name: "Overlay", dependencies: ["CFreeType", "Imaging"], swiftSettings: optimizedInDebug),
        .target(name: "KerasModel", dependencies: ["CHDF5"], swiftSettings: vectorKernels + optimizedInDebug),
        // TensorFlow Lite flatbuffers (BlazeFace), run with the Keras layers' kernels.
        .target(name: "TFLiteModel", dependencies: ["KerasModel"], swiftSettings: vectorKernels + optimizedInDebug),
        // The analysis core: frame sources, face detectors, the classifier, the orchestrator, the summary.
        .target(name: "FaceMood", dependencies: ["VideoIO", "KerasModel", "TFLiteModel", "FaceDetection", "Imaging"]),
        // Timeline sinks (CSV, JSON, overlay video, detection lines), atomic files, timeline readers.
        .target(name: "TimelineOutputs", dependencies: ["FaceMood", "VideoIO", "Imaging", "Overlay"]),
        // Many inputs: folders and lists, mirrored output paths, shards, resume, manifests.
        .target(name: "Corpus", dependencies: ["FaceMood", "TimelineOutputs"]),
        // Timelines for other programs: ELAN, BORIS, WebVTT, py-feat, OpenFace.
        .target(name: "TimelineExports", dependencies: ["FaceMood", "TimelineOutputs"]),
        // The static HTML report: an index of videos and a page per video with its chart and player.
        .target(name: "TimelineReport", dependencies: ["FaceMood", "TimelineOutputs", "Corpus"]),
        .executableTarget(
            name: "facemood",
            dependencies: [
                "FaceMood",
                "TimelineOutputs",
                "Corpus",
                "TimelineExports",
                "TimelineReport",
                "VideoIO",
                "KerasModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "facemood-bench", dependencies: ["FaceMood", "TimelineOutputs", "Corpus", "KerasModel", "FaceDetection", "VideoIO"]),
        // Writes Keras HDF5 test models from their JSON descriptions; used by tests only.
        .target(name: "KerasTestSupport", dependencies: ["CHDF5", "KerasModel"]),
        .testTarget(name: "VideoIOTests", dependencies: ["VideoIO", "Imaging"]),
        .testTarget(name: "TFLiteModelTests", dependencies: ["TFLiteModel"]),
        .testTarget(name: "KerasModelTests", dependencies: ["KerasModel", "KerasTestSupport"]),
        .testTarget(name: "FaceDetectionTests", dependencies: ["FaceDetection", "VideoIO", "Imaging"]),
        .testTarget(name: "FaceMoodTests", dependencies: ["FaceMood", "TimelineOutputs", "KerasTestSupport", "Imaging", "Overlay", "VideoIO", "KerasModel"]),
        // The library as an embedding program sees it: a plain `import FaceMood`.
        .testTarget(name: "FaceMoodAPITests", dependencies: ["FaceMood", "TimelineOutputs"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "FaceMood", "TimelineOutputs"]),
        .testTarget(name: "TimelineExportsTests", dependencies: ["TimelineExports", "TimelineReport", "TimelineOutputs", "FaceMood", "Corpus"]),
    ]
)

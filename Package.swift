// swift-tools-version: 6.0
import PackageDescription

/// The inference and detection kernels are written with 8-lane SIMD; on x86-64 they need AVX2 and FMA
/// enabled to become vector instructions (without FMA, `addingProduct` is a libm call per lane).
#if arch(x86_64)
let vectorKernels: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma"])]
#else
let vectorKernels: [SwiftSetting] = []
#endif

/// The detector and the CNN are optimised in debug builds too: the golden tests run thousands of
/// detections and inferences, which unoptimised code would stretch to tens of minutes.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "facemood",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "facemood", targets: ["facemood"]),
        .library(name: "FaceMood", targets: ["FaceMood"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev"])]
        ),
        .systemLibrary(
            name: "CFreeType",
            pkgConfig: "freetype2",
            providers: [.apt(["libfreetype-dev"])]
        ),
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .target(name: "Imaging", swiftSettings: optimizedInDebug),
        .target(name: "VideoIO", dependencies: ["CFFmpeg", "Imaging"]),
        .target(name: "FaceDetection", dependencies: ["Imaging"], swiftSettings: vectorKernels + optimizedInDebug),
        .target(name: "Overlay", dependencies: ["CFreeType", "Imaging"], swiftSettings: optimizedInDebug),
        .target(name: "KerasModel", dependencies: ["CHDF5"], swiftSettings: vectorKernels + optimizedInDebug),
        .target(name: "FaceMood", dependencies: ["VideoIO", "KerasModel", "FaceDetection", "Imaging", "Overlay"]),
        .executableTarget(
            name: "facemood",
            dependencies: [
                "FaceMood",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "facemood-bench", dependencies: ["FaceMood"]),
        .testTarget(name: "VideoIOTests", dependencies: ["VideoIO"]),
        .testTarget(name: "KerasModelTests", dependencies: ["KerasModel"]),
        .testTarget(name: "FaceDetectionTests", dependencies: ["FaceDetection", "VideoIO"]),
        .testTarget(name: "FaceMoodTests", dependencies: ["FaceMood"]),
    ]
)

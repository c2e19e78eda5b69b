// swift-tools-version: 6.0
import PackageDescription

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
            name: "CHDF5",
            pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .target(name: "VideoIO", dependencies: ["CFFmpeg"]),
        .target(name: "KerasModel", dependencies: ["CHDF5"]),
        .target(name: "FaceMood", dependencies: ["VideoIO", "KerasModel"]),
        .executableTarget(
            name: "facemood",
            dependencies: [
                "FaceMood",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "VideoIOTests", dependencies: ["VideoIO"]),
        .testTarget(name: "KerasModelTests", dependencies: ["KerasModel"]),
        .testTarget(name: "FaceMoodTests", dependencies: ["FaceMood"]),
    ]
)

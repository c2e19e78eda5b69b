// swift-tools-version: 6.0
import Foundation
import PackageDescription

// A program that uses facemood as a library, depending on it as any user's package would: by URL and
// version. `FACEMOOD_PACKAGE_URL` points at a tagged copy of the repository (the test makes one); without
// it, the repository this example sits in.
let facemoodURL = ProcessInfo.processInfo.environment["FACEMOOD_PACKAGE_URL"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.absoluteString

let package = Package(
    name: "EmbeddingExample",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: facemoodURL, from: "0.1.0"),
    ],
    targets: [
        .executableTarget(
            name: "EmbeddingExample",
            dependencies: [.product(name: "FaceMood", package: "facemood")]
        ),
    ]
)

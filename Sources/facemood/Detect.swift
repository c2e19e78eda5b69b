import ArgumentParser
import FaceMood
import Foundation

struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find faces in every frame with a Haar cascade; prints one JSON object per frame.",
        discussion: #"Each line: {"frame":0,"time_s":0.000000,"faces":[[x,y,w,h],...]}, boxes largest first."#
    )

    @Argument(help: "A video or image file.")
    var input: String

    @OptionGroup var detection: DetectionOptions

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.apply()
        do {
            let detector = HaarDetector(cascade: try detection.loadCascade())
            let parameters = detection.parameters
            let reader = try VideoReader(path: input)
            let output = FileHandle.standardOutput
            while let frame = try reader.nextFrame() {
                let faces = detector.detect(frame.gray, parameters: parameters)
                output.write(Data((FrameDetections(frame: frame, faces: faces).jsonLine + "\n").utf8))
            }
        } catch {
            throw fail(error)
        }
    }
}

/// The cascade and the `detectMultiScale` parameters, shared by every command that detects faces.
struct DetectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("OpenCV Haar cascade XML (default: the bundled frontal-face cascade).", valueName: "file"))
    var cascade: String?

    @Option(help: "How much the search window grows between scales (above 1).")
    var scaleFactor: Double = 1.1

    @Option(help: "How many overlapping detections a face needs to be kept.")
    var minNeighbors: Int = 5

    @Option(help: "Smallest face size in pixels.")
    var minSize: Int = 30

    @Option(help: "Largest face size in pixels (0: no limit).")
    var maxSize: Int = 0

    func validate() throws {
        guard scaleFactor > 1, scaleFactor.isFinite else {
            throw ValidationError("--scale-factor expects a number above 1, found \(scaleFactor)")
        }
        guard minNeighbors >= 0 else { throw ValidationError("--min-neighbors expects 0 or more, found \(minNeighbors)") }
        guard minSize >= 0, maxSize >= 0 else { throw ValidationError("--min-size and --max-size expect 0 or more pixels") }
    }

    var parameters: HaarDetector.Parameters {
        HaarDetector.Parameters(scaleFactor: scaleFactor, minNeighbors: minNeighbors, minSize: minSize, maxSize: maxSize)
    }

    func loadCascade() throws -> HaarCascade {
        try HaarCascade(path: cascade ?? DefaultAssets.cascadePath)
    }
}

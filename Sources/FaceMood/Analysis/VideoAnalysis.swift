import Foundation

/// Everything one `analyze` run shares between its inputs: the classifier, the cascade, the parameters.
public struct AnalysisSetup: Sendable {
    public let classifier: EmotionClassifier
    public let cascade: HaarCascade
    public let parameters: HaarDetector.Parameters
    public let modelSHA256: String
    public let cascadeSHA256: String
    public var mode: SearchMode
    /// Analysis threads; decoding and writing run beside them.
    public var threads: Int

    public init(classifier: EmotionClassifier, cascade: HaarCascade, parameters: HaarDetector.Parameters,
                mode: SearchMode = .exact, threads: Int = 1) throws {
        self.classifier = classifier
        self.cascade = cascade
        self.parameters = parameters
        self.mode = mode
        self.threads = max(threads, 1)
        modelSHA256 = try SHA256.hex(ofFile: classifier.modelPath)
        cascadeSHA256 = try SHA256.hex(ofFile: cascade.path)
    }
}

/// Where one input's timelines go; nil skips that file.
public struct AnalysisOutputs: Sendable, Equatable {
    public var csv: String?
    public var json: String?
    /// The annotated video (box, label, probability bars), with the source's timing and audio.
    public var overlay: String?
    public var overlayOptions = VideoWriter.Options()

    public init(csv: String?, json: String?, overlay: String? = nil) {
        self.csv = csv
        self.json = json
        self.overlay = overlay
    }

    /// `<folder>/<input stem>.overlay.mp4`.
    public static func defaultOverlay(for input: String, folder: String?) -> String {
        let csv = defaults(for: input, folder: folder).csv!
        return String(csv.dropLast(".emotions.csv".count)) + ".overlay.mp4"
    }

    /// `<folder>/<input stem>.emotions.csv` and `.json`, the folder defaulting to the input's.
    /// Paths stay as relative or absolute as the user gave them.
    public static func defaults(for input: String, folder: String?) -> AnalysisOutputs {
        let name = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
        let slash = input.lastIndex(of: "/")
        let inputFolder = slash.map { $0 == input.startIndex ? "/" : String(input[..<$0]) } ?? ""
        let target = folder ?? inputFolder
        let base = target.isEmpty ? name : (target.hasSuffix("/") ? target + name : target + "/" + name)
        return AnalysisOutputs(csv: base + ".emotions.csv", json: base + ".emotions.json")
    }
}

/// Analyses one video: decode, detect, classify, write both timelines as frames arrive, summarise.
/// Output files appear only when the whole video has been analysed.
public enum VideoAnalysis {
    /// Reports frames done (and the container's frame count when known) after each frame.
    public typealias Progress = (_ done: Int, _ total: Int?) -> Void

    /// `notify` hears what the user should know that is not an error (audio re-encoded, say).
    public static func run(input: String, outputs: AnalysisOutputs, setup: AnalysisSetup,
                           progress: Progress? = nil, notify: ((String) -> Void)? = nil,
                           clock: StageClock? = nil) throws -> EmotionSummary {
        let reader = try VideoReader(path: input, options: .init(wantsColor: outputs.overlay != nil))
        let labels = setup.classifier.profile.labels
        let csvWriter = try outputs.csv.map { try TimelineCSVWriter(file: try OutputFile(destination: $0), labels: labels) }
        let metadata = TimelineMetadata(inputPath: input, stream: reader.info, classifier: setup.classifier,
                                        modelSHA256: setup.modelSHA256, cascadePath: setup.cascade.path,
                                        cascadeSHA256: setup.cascadeSHA256, parameters: setup.parameters)
        let jsonWriter = try outputs.json.map { try TimelineJSONWriter(file: try OutputFile(destination: $0), metadata: metadata) }
        let overlay = try outputs.overlay.map { try OverlayVideo(destination: $0, reader: reader, labels: labels, options: outputs.overlayOptions) }
        if let overlay, let destination = outputs.overlay {
            for notice in overlay.notices { notify?("\(destination): \(notice)") }
        }
        var summary = EmotionSummary(labels: labels)
        let total = reader.info.frameCount
        try AnalysisPipeline.run(reader: reader, segmentLength: setup.mode.segmentLength(framesPerSecond: reader.info.fps), workers: setup.threads, clock: clock,
                                 makeAnalyzer: { FrameAnalyzer(classifier: setup.classifier, cascade: setup.cascade,
                                                               parameters: setup.parameters, mode: setup.mode) }) { analyzed in
            try clock.measure(.write) {
                summary.add(analyzed.row)
                try csvWriter?.append(analyzed.row)
                try jsonWriter?.append(analyzed.row)
            }
            try clock.measure(.overlay) { try overlay?.append(analyzed.frame, row: analyzed.row) }
            progress?(analyzed.frame.index + 1, total)
        }
        try overlay?.finish()
        try csvWriter?.commit()
        try jsonWriter?.finish(summary: summary)
        return summary
    }
}

/// The annotated copy of the input: each frame drawn on, re-encoded, the audio copied.
final class OverlayVideo {
    private let partial: PartialPath
    private let writer: VideoWriter
    private let drawer: EmotionOverlay
    private let timeBaseSeconds: Double

    init(destination: String, reader: VideoReader, labels: [String], options: VideoWriter.Options) throws {
        partial = try PartialPath(destination: destination)
        writer = try VideoWriter(path: partial.temporary, formatName: destination, width: reader.info.width, height: reader.info.height,
                                 timeBase: reader.timeBase, frameRate: reader.averageFrameRate, audioSource: reader.path,
                                 options: options)
        drawer = EmotionOverlay(labels: labels, font: try FontRenderer())
        timeBaseSeconds = Double(reader.timeBase.numerator) / Double(reader.timeBase.denominator)
    }

    func append(_ frame: VideoFrame, row: TimelineRow) throws {
        guard var image = frame.color else { return }
        let annotation = EmotionOverlay.Annotation(box: row.box.map { ($0.x, $0.y, $0.width, $0.height) }, emotion: row.emotion,
                                                   probabilities: row.probabilities)
        drawer.draw(annotation, on: &image)
        try writer.write(image, timestamp: frame.timestamp ?? Int64((frame.time / timeBaseSeconds).rounded()))
    }

    var notices: [String] { writer.notices }

    func finish() throws {
        try writer.finish()
        try partial.commit()
    }
}

import Foundation

/// Everything one `analyze` run shares between its inputs: the classifier, the cascade, the parameters.
public struct AnalysisSetup: Sendable {
    public let classifier: EmotionClassifier
    public let cascade: HaarCascade
    public let parameters: HaarDetector.Parameters
    public let modelSHA256: String
    public let cascadeSHA256: String

    public init(classifier: EmotionClassifier, cascade: HaarCascade, parameters: HaarDetector.Parameters) throws {
        self.classifier = classifier
        self.cascade = cascade
        self.parameters = parameters
        modelSHA256 = try SHA256.hex(ofFile: classifier.modelPath)
        cascadeSHA256 = try SHA256.hex(ofFile: cascade.path)
    }
}

/// Where one input's timelines go; nil skips that file.
public struct AnalysisOutputs: Sendable, Equatable {
    public var csv: String?
    public var json: String?

    public init(csv: String?, json: String?) {
        self.csv = csv
        self.json = json
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

    public static func run(input: String, outputs: AnalysisOutputs, setup: AnalysisSetup,
                           progress: Progress? = nil) throws -> EmotionSummary {
        let reader = try VideoReader(path: input)
        let labels = setup.classifier.profile.labels
        let csvWriter = try outputs.csv.map { try TimelineCSVWriter(file: try OutputFile(destination: $0), labels: labels) }
        let metadata = TimelineMetadata(inputPath: input, stream: reader.info, classifier: setup.classifier,
                                        modelSHA256: setup.modelSHA256, cascadePath: setup.cascade.path,
                                        cascadeSHA256: setup.cascadeSHA256, parameters: setup.parameters)
        let jsonWriter = try outputs.json.map { try TimelineJSONWriter(file: try OutputFile(destination: $0), metadata: metadata) }
        let analyzer = FrameAnalyzer(classifier: setup.classifier, cascade: setup.cascade, parameters: setup.parameters)
        var summary = EmotionSummary(labels: labels)
        while let frame = try reader.nextFrame() {
            let row = analyzer.analyze(frame)
            summary.add(row)
            try csvWriter?.append(row)
            try jsonWriter?.append(row)
            progress?(frame.index + 1, reader.info.frameCount)
        }
        try csvWriter?.commit()
        try jsonWriter?.finish(summary: summary)
        return summary
    }
}

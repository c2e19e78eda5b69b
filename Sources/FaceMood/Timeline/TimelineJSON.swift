/// What the JSON timeline says about its making: tool, input, model and detector.
public struct TimelineMetadata: Sendable {
    public var inputPath: String
    public var stream: VideoStreamInfo
    public var modelPath: String
    public var modelSHA256: String
    public var labels: [String]
    public var inputSize: (width: Int, height: Int)
    public var inputRange: ModelProfile.InputRange
    public var margin: Int
    public var cascadePath: String
    public var cascadeSHA256: String
    public var parameters: HaarDetector.Parameters

    public init(inputPath: String, stream: VideoStreamInfo, classifier: EmotionClassifier, modelSHA256: String,
                cascadePath: String, cascadeSHA256: String, parameters: HaarDetector.Parameters) {
        self.inputPath = inputPath
        self.stream = stream
        modelPath = classifier.modelPath
        self.modelSHA256 = modelSHA256
        labels = classifier.profile.labels
        inputSize = (classifier.inputWidth, classifier.inputHeight)
        inputRange = classifier.profile.inputRange
        margin = classifier.profile.margin
        self.cascadePath = cascadePath
        self.cascadeSHA256 = cascadeSHA256
        self.parameters = parameters
    }

    /// The members before `"frames"`, as JSON text.
    var json: [(String, String)] {
        [
            ("tool", JSONText.object([("name", JSONText.string(FaceMoodTool.name)), ("version", JSONText.string(FaceMoodTool.version))])),
            ("input", JSONText.object([
                ("path", JSONText.string(inputPath)),
                ("container", JSONText.string(stream.container)),
                ("codec", JSONText.string(stream.codec)),
                ("width", String(stream.width)),
                ("height", String(stream.height)),
                ("rotation", String(stream.rotation)),
                ("fps", JSONText.optional(stream.fps.map { CSV.decimal($0) })),
                ("duration_s", JSONText.optional(stream.durationSeconds.map { CSV.decimal($0) })),
                ("frames", JSONText.optional(stream.frameCount.map(String.init))),
            ])),
            ("model", JSONText.object([
                ("path", JSONText.string(modelPath)),
                ("sha256", JSONText.string(modelSHA256)),
                ("labels", JSONText.array(labels.map(JSONText.string))),
                ("input_size", JSONText.array([String(inputSize.width), String(inputSize.height)])),
                ("input_range", JSONText.string(inputRange.rawValue)),
                ("margin", String(margin)),
            ])),
            ("detector", JSONText.object([
                ("cascade", JSONText.string(cascadePath)),
                ("cascade_sha256", JSONText.string(cascadeSHA256)),
                ("scale_factor", String(parameters.scaleFactor)),
                ("min_neighbors", String(parameters.minNeighbors)),
                ("min_size", String(parameters.minSize)),
                ("max_size", String(parameters.maxSize)),
            ])),
        ]
    }
}

/// Streams the JSON timeline: metadata, then `"frames": [...]` as they arrive, then the summary.
public final class TimelineJSONWriter {
    private let file: OutputFile
    private let labels: [String]
    private var wroteFrame = false

    public init(file: OutputFile, metadata: TimelineMetadata) throws {
        self.file = file
        labels = metadata.labels
        let head = metadata.json.map { JSONText.string($0.0) + ":" + $0.1 }.joined(separator: ",\n")
        try file.write("{" + head + ",\n\"frames\":[")
    }

    public static func frameObject(_ row: TimelineRow, labels: [String]) -> String {
        var members: [(String, String)] = [
            ("frame", String(row.frame)), ("time_s", CSV.decimal(row.time)), ("duration_s", CSV.decimal(row.duration)),
            ("faces", String(row.faces)),
        ]
        if let box = row.box, let emotion = row.emotion, let confidence = row.confidence, let probabilities = row.probabilities {
            members += [
                ("box", JSONText.array([box.x, box.y, box.width, box.height].map(String.init))),
                ("emotion", JSONText.string(emotion)),
                ("confidence", CSV.decimal(confidence)),
                ("probs", JSONText.object(zip(labels, probabilities).map { ($0, CSV.decimal($1)) })),
            ]
        } else {
            members += [("box", "null"), ("emotion", "null"), ("confidence", "null"), ("probs", "null")]
        }
        return JSONText.object(members)
    }

    public func append(_ row: TimelineRow) throws {
        try file.write((wroteFrame ? ",\n" : "\n") + Self.frameObject(row, labels: labels))
        wroteFrame = true
    }

    public func finish(summary: EmotionSummary) throws {
        try file.write("\n],\n\"summary\":" + summary.json() + "}\n")
        try file.commit()
    }
}

import FaceMood
import VideoIO

/// The JSON timeline, streamed: tool, input, model and detector, then `"frames": [...]` as they arrive,
/// then the summary.
public final class JSONTimelineSink: TimelineSink {
    private let output: any TextDestination
    private let smoothing: TimelineSmoothing?
    private var window: SmoothingWindow<FrameResult>?
    private var labels: [String] = []
    private var wroteFrame = false
    /// A live timeline is flushed after every frame, so the rows are on disk while the capture runs.
    private var live = false

    /// With `smoothing`, each frame object gets `"smoothed"` (see `TimelineSmoothing`), written T/2 late.
    public init(output: any TextDestination, smoothing: TimelineSmoothing? = nil) {
        self.output = output
        self.smoothing = smoothing
    }

    public func start(_ context: TimelineContext) throws {
        labels = context.labels
        live = context.source.isLive
        window = smoothing.map { SmoothingWindow(smoothing: $0, labels: context.labels) }
        let head = Self.metadata(context, smoothing: smoothing).map { JSONText.string($0.0) + ":" + $0.1 }.joined(separator: ",\n")
        try output.write("{" + head + ",\n\"frames\":[")
    }

    public func write(_ result: FrameResult, frame: VideoFrame) throws {
        if let window {
            for (ready, smoothed) in window.add(result) { try writeFrame(ready, smoothed: .some(smoothed)) }
        } else {
            try writeFrame(result, smoothed: nil)
        }
        if live { try output.flush() }
    }

    private func writeFrame(_ result: FrameResult, smoothed: SmoothedValues??) throws {
        try output.write((wroteFrame ? ",\n" : "\n") + Self.frameObject(result, labels: labels, smoothed: smoothed))
        wroteFrame = true
    }

    public func finish(summary: EmotionSummary, decoding: DecodingReport) throws {
        for (ready, smoothed) in window?.finish() ?? [] { try writeFrame(ready, smoothed: .some(smoothed)) }
        var members = [("timestamp_discontinuities", String(decoding.timestampDiscontinuities)),
                       ("frames_left_out", String(decoding.framesLeftOut)), ("frames_dropped", String(decoding.framesDropped))]
        if let clock = decoding.liveClock {
            members += [("first_frame_utc", JSONText.string(clock.utcText)), ("first_frame_time_s", CSV.decimal(clock.time))]
        }
        let decodingObject = JSONText.object(members)
        try output.write("\n],\n\"decoding\":" + decodingObject + ",\n\"summary\":" + summary.json() + "}\n")
        try output.finish()
    }

    public func commit() throws { try output.commit() }
    public func discard() { output.discard() }
    /// Its output is a file or standard output, written by no other sink.
    public var finishesConcurrently: Bool { true }

    /// One frame as the timeline's `frames` array holds it (and as NDJSON lines would). `smoothed` is nil
    /// without smoothing, `.some(nil)` for a frame with no face in its window (`"smoothed":null`).
    public static func frameObject(_ result: FrameResult, labels: [String], smoothed: SmoothedValues?? = nil) -> String {
        var members: [(String, String)] = [
            ("frame", String(result.frame)), ("time_s", CSV.decimal(result.time)), ("duration_s", CSV.decimal(result.duration)),
            ("faces", String(result.faces.count)),
        ]
        if let face = result.face {
            let box = face.box
            members += [
                ("box", JSONText.array([box.x, box.y, box.width, box.height].map(String.init))),
                ("emotion", JSONText.string(face.emotion)),
                ("confidence", CSV.decimal(face.confidence)),
                ("probs", JSONText.object(zip(labels, face.probabilities).map { ($0, CSV.decimal($1)) })),
            ]
            if let score = face.score { members.append(("detector_score", CSV.decimal(score))) }
            if !face.keypoints.isEmpty { members.append(("keypoints", points(face.keypoints))) }
        } else {
            members += [("box", "null"), ("emotion", "null"), ("confidence", "null"), ("probs", "null")]
        }
        if let smoothed {
            members.append(("smoothed", smoothed.map { values in
                JSONText.object([("emotion", JSONText.string(values.emotion)),
                                 ("probs", JSONText.object(zip(labels, values.probabilities).map { ($0, CSV.decimal($1)) }))])
            } ?? "null"))
        }
        return JSONText.object(members)
    }

    /// `[[x,y],…]` in pixels, six decimals.
    static func points(_ points: [FacePoint]) -> String {
        JSONText.array(points.map { JSONText.array([CSV.decimal($0.x), CSV.decimal($0.y)]) })
    }

    /// The members before `"frames"`.
    static func metadata(_ context: TimelineContext, smoothing: TimelineSmoothing?) -> [(String, String)] {
        let stream = context.source.stream
        let members: [(String, String)] = [
            ("tool", JSONText.object([("name", JSONText.string(FaceMoodTool.name)), ("version", JSONText.string(FaceMoodTool.version))])),
            ("input", JSONText.object([
                ("path", JSONText.string(context.source.path)),
                ("live", context.source.isLive ? "true" : "false"),
                ("container", JSONText.string(stream.container)),
                ("codec", JSONText.string(stream.codec)),
                ("width", String(stream.width)),
                ("height", String(stream.height)),
                ("rotation", String(stream.rotation)),
                ("video_start_s", CSV.decimal(context.source.videoStartOffset)),
                ("fps", JSONText.optional(stream.fps.map { CSV.decimal($0) })),
                ("duration_s", JSONText.optional(stream.durationSeconds.map { CSV.decimal($0) })),
                ("frames", JSONText.optional(stream.frameCount.map(String.init))),
                ("size_bytes", JSONText.optional(context.source.file.map { String($0.sizeBytes) })),
                ("modified", JSONText.optional(context.source.file.map { JSONText.string($0.modifiedText) })),
            ])),
        ]
        return members + settings(model: context.model, detector: context.detector, sampling: context.source.sampling, smoothing: smoothing)
    }

    /// The members that record how frames were analysed and written (model, detector, sampling, smoothing),
    /// which a resumed run compares with its own.
    public static func settings(model: ModelDescription?, detector: [DetectorSetting], sampling: FrameSampling?,
                                smoothing: TimelineSmoothing? = nil) -> [(String, String)] {
        var members: [(String, String)] = []
        if let model {
            members.append(("model", JSONText.object([
                ("path", JSONText.string(model.path)),
                ("sha256", JSONText.string(model.sha256)),
                ("labels", JSONText.array(model.labels.map(JSONText.string))),
                ("input_size", JSONText.array([String(model.inputWidth), String(model.inputHeight)])),
                ("input_range", JSONText.string(model.inputRange.rawValue)),
                ("margin", String(model.margin)),
            ] + (model.alignsFaces ? [("align", "true")] : []))))
        }
        members.append(("detector", JSONText.object(detector.map { ($0.name, json($0.value)) })))
        members.append(("sampling", sampling.map { sampling in
            JSONText.object([("frames_per_second", CSV.decimal(sampling.framesPerSecond)), ("rule", JSONText.string(FrameSampling.rule))])
        } ?? "null"))
        members.append(("smoothing", smoothing.map { smoothing in
            JSONText.object([("window_s", CSV.decimal(smoothing.window)), ("rule", JSONText.string(TimelineSmoothing.rule))])
        } ?? "null"))
        return members
    }

    static func json(_ value: DetectorSetting.Value) -> String {
        switch value {
        case let .text(text): return JSONText.string(text)
        case let .integer(number): return String(number)
        case let .number(number): return number.isFinite ? String(number) : "null"
        }
    }
}

extension EmotionSummary {
    /// The `"summary"` object of the JSON timeline (and of `facemood summarize --json`).
    public func json() -> String {
        let emotions = labels.indices.map { index in
            (labels[index], JSONText.object([
                ("dominant_frames", String(dominantFrames[index])),
                ("dominant_seconds", CSV.decimal(dominantSeconds[index])),
                ("share_of_face_time", CSV.decimal(shareOfFaceTime(index))),
                ("mean_probability", CSV.decimal(meanProbability(index))),
                ("longest_run_s", CSV.decimal(longestRuns[index])),
            ]))
        }
        return JSONText.object([
            ("frames", String(frames)),
            ("frames_with_face", String(framesWithFace)),
            ("face_ratio", CSV.decimal(faceRatio)),
            ("duration_s", CSV.decimal(duration)),
            ("face_seconds", CSV.decimal(faceSeconds)),
            ("dominant_emotion", JSONText.optional(dominantEmotion.map(JSONText.string))),
            ("label_changes", String(labelChanges)),
            ("emotions", JSONText.object(emotions)),
        ])
    }
}

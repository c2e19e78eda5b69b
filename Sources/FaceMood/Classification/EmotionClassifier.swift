import Imaging
import KerasModel

/// One classification: probabilities in model order and the winning label.
public struct Classification: Sendable, Equatable {
    public let probabilities: [Float]
    public let labels: [String]

    public init(probabilities: [Float], labels: [String]) {
        self.probabilities = probabilities
        self.labels = labels
    }

    /// Index of the highest probability (the first one on a tie, like numpy's argmax).
    public var topIndex: Int {
        var best = 0
        for index in probabilities.indices where probabilities[index] > probabilities[best] { best = index }
        return best
    }

    public var label: String { labels[topIndex] }
    public var confidence: Float { probabilities[topIndex] }
}

/// A Keras classifier of gray face crops, with the labels and preprocessing that travel with it.
/// Immutable, so one instance serves several threads.
public final class EmotionClassifier: Sendable {
    public let modelPath: String
    public let model: KerasModel
    public let profile: ModelProfile
    public let inputWidth: Int
    public let inputHeight: Int

    public convenience init(modelPath: String, labels: [String]? = nil, inputRange: ModelProfile.InputRange? = nil,
                            margin: Int? = nil) throws {
        try self.init(model: try KerasModel(path: modelPath), labels: labels, inputRange: inputRange, margin: margin)
    }

    public init(model: KerasModel, labels: [String]? = nil, inputRange: ModelProfile.InputRange? = nil, margin: Int? = nil) throws {
        let modelPath = model.path
        guard model.inputShape.count == 3, model.inputShape[2] == 1 else {
            throw ModelError.malformed(path: modelPath, expected: "a model with one gray input, shaped (None, height, width, 1)",
                                       found: "input \(kerasShape(model.inputShape))")
        }
        guard model.outputShape.count == 1 else {
            throw ModelError.malformed(path: modelPath, expected: "a classifier with one vector of class scores",
                                       found: "output \(kerasShape(model.outputShape))")
        }
        self.modelPath = modelPath
        self.model = model
        inputHeight = model.inputShape[0]
        inputWidth = model.inputShape[1]
        profile = try ModelProfile.resolve(modelPath: modelPath, outputs: model.outputCount, labels: labels,
                                           inputRange: inputRange, margin: margin)
    }

    /// The bundled emotion model (see `DefaultAssets`), with its built-in profile.
    public static func bundled() throws -> EmotionClassifier {
        try EmotionClassifier(modelPath: DefaultAssets.modelPath)
    }

    /// Classifies an already-cropped face: resized to the model input (OpenCV's INTER_LINEAR), normalised.
    /// Allocates its working memory; a `Session` per thread reuses it.
    public func classify(face: GrayImage) throws -> Classification {
        try Session(classifier: self).classify(face: face)
    }

    /// Working memory for classifying on one thread.
    public final class Session {
        public let classifier: EmotionClassifier
        private let inference: InferenceSession

        public init(classifier: EmotionClassifier) {
            self.classifier = classifier
            inference = InferenceSession(model: classifier.model)
        }

        public func classify(face: GrayImage) throws -> Classification {
            try classify(modelInput: resizeLinear(face, width: classifier.inputWidth, height: classifier.inputHeight))
        }

        /// Classifies a crop that already has the model's input size. A model whose output is not a finite
        /// number (NaN weights, say) is an error naming the model: such values are never written.
        public func classify(modelInput: GrayImage) throws -> Classification {
            guard modelInput.width == classifier.inputWidth && modelInput.height == classifier.inputHeight else {
                throw ModelError.input(expected: "a \(classifier.inputWidth)x\(classifier.inputHeight) image",
                                       found: "\(modelInput.width)x\(modelInput.height)")
            }
            let range = classifier.profile.inputRange
            let probabilities = inference.predict { input in
                modelInput.pixels.withUnsafeBufferPointer { pixels in
                    for index in pixels.indices { input[index] = range.normalize(pixels[index]) }
                }
            }
            guard probabilities.allSatisfy(\.isFinite) else {
                throw ModelError.malformed(path: classifier.modelPath, expected: "finite class scores",
                                           found: "\(probabilities.map { String($0) }.joined(separator: ", "))")
            }
            return Classification(probabilities: probabilities, labels: classifier.profile.labels)
        }
    }
}

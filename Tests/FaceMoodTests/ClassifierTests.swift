import Foundation
import Testing
@testable import FaceMood
import Imaging
import KerasModel
import KerasTestSupport
@testable import TimelineOutputs
import VideoIO

@Suite struct ClassifierTests {
    struct Golden: Decodable {
        struct Crop: Decodable {
            let image: String
            let resized: [UInt8]
            let probabilities: [Float]
        }
        let crops: [Crop]
    }

    /// `facemood classify` on the sample face images: our decoder's gray frame, our resize, our CNN,
    /// against ffmpeg's gray frame, cv2.resize and TensorFlow (scripts/reference/keras_goldens.py).
    @Test func faceImagesAgreeWithTensorFlow() throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: URL(fileURLWithPath:
            try TestPaths.repository("Tests/Fixtures/keras/emotion_model.golden.json"))))
        let classifier = try EmotionClassifier(modelPath: try TestPaths.repository("models/emotion_model.hdf5"))
        for crop in golden.crops {
            let reader = try VideoReader(path: try TestPaths.repository("samples/media/" + crop.image))
            let frame = try #require(try reader.nextFrame())
            let resized = resizeLinear(frame.gray, width: 64, height: 64)
            #expect(resized.pixels == crop.resized, "\(crop.image): the 64x64 model input differs from cv2.resize's")
            let result = try classifier.classify(face: frame.gray)
            let difference = zip(result.probabilities, crop.probabilities).map { abs($0 - $1) }.max() ?? 1
            #expect(difference <= 1e-5, "\(crop.image): probabilities differ from TensorFlow's by \(difference)")
            #expect(result.topIndex == crop.probabilities.indices.max { crop.probabilities[$0] < crop.probabilities[$1] })
        }
    }

    @Test func reportRowsAreCSVWithSixDecimals() throws {
        let image = try TestPaths.repository("samples/media/0-f15-hao-ph.jpg")
        let result = try FaceMoodBinary.run(["classify", image])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "path,emotion,confidence,angry,disgust,fear,happy,sad,surprise,neutral")
        let fields = lines.last?.split(separator: ",") ?? []
        #expect(fields.count == 10)
        #expect(fields[1] == "happy")
        #expect(fields.dropFirst(2).allSatisfy { $0.split(separator: ".").last?.count == 6 })
    }
}

@Suite struct NonFiniteOutputTests {
    /// Logits pushed to infinity make softmax NaN: the classifier refuses to hand such values on.
    @Test func aModelThatOutputsNaNIsAnErrorNamingIt() throws {
        let description = URL(fileURLWithPath: try TestPaths.repository("Tests/Fixtures/keras/vgg48_sequential.h5.json"))
        let path = try HDF5Writer.crafted(from: description, change: { description in
            var datasets = description["datasets"] as! [[String: Any]]
            for index in datasets.indices where (datasets[index]["path"] as! String).hasSuffix("predictions/kernel") {
                let count = (datasets[index]["values"] as! [Any]).count
                datasets[index]["values"] = [Float](repeating: 3e38, count: count)
            }
            description["datasets"] = datasets
        })
        let classifier = try EmotionClassifier(modelPath: path)
        let face = try GrayImage(width: 48, height: 48, pixels: [UInt8](repeating: 128, count: 48 * 48))
        do {
            _ = try classifier.classify(face: face)
            Issue.record("non-finite probabilities were returned")
        } catch {
            #expect("\(error)".hasPrefix("\(path): expected finite class scores, found "), "\(error)")
        }
    }
}

@Suite struct ModelProfileTests {
    private func model(outputs: Int, sidecar: String? = nil) throws -> String {
        let folder = try TestPaths.temporaryFolder()
        let path = folder.appendingPathComponent("classifier.hdf5").path
        if let sidecar {
            try Data(sidecar.utf8).write(to: folder.appendingPathComponent("classifier.json"))
        }
        return path
    }

    @Test func defaultsFollowTheOutputCount() throws {
        let seven = try ModelProfile.resolve(modelPath: try model(outputs: 7), outputs: 7)
        #expect(seven.labels == ModelProfile.fer2013Labels && seven.inputRange == .minusOneToOne && seven.margin == 10)
        let six = try ModelProfile.resolve(modelPath: try model(outputs: 6), outputs: 6)
        #expect(six.labels == ModelProfile.originalScriptLabels && six.inputRange == .zeroToOne)
        #expect(six.source == .builtInDefault)
    }

    @Test func otherCountsNeedLabels() throws {
        let path = try model(outputs: 3)
        #expect(throws: ModelError.labels(path: path, reason: "the model has 3 outputs and no labels: pass --labels with 3 names (or add a sidecar .json)")) {
            try ModelProfile.resolve(modelPath: path, outputs: 3)
        }
        let flagged = try ModelProfile.resolve(modelPath: path, outputs: 3, labels: ["calm", "tense", "other"])
        #expect(flagged.labels == ["calm", "tense", "other"] && flagged.source == .flags)
    }

    @Test func sidecarThenFlagsOverride() throws {
        let path = try model(outputs: 3, sidecar: #"{"labels": ["a", "b", "c"], "input_range": "[-1,1]", "margin": 4}"#)
        let sidecar = try ModelProfile.resolve(modelPath: path, outputs: 3)
        #expect(sidecar == ModelProfile(labels: ["a", "b", "c"], inputRange: .minusOneToOne, margin: 4, source: .sidecar))
        let flagged = try ModelProfile.resolve(modelPath: path, outputs: 3, inputRange: .zeroToOne)
        #expect(flagged.labels == ["a", "b", "c"] && flagged.inputRange == .zeroToOne && flagged.margin == 4)
    }

    @Test func labelCountMustMatchOutputs() throws {
        let path = try model(outputs: 7)
        #expect(throws: ModelError.labels(path: path, reason: "expected 7 labels for the model's 7 outputs, found 2 (x,y)")) {
            try ModelProfile.resolve(modelPath: path, outputs: 7, labels: ["x", "y"])
        }
    }

    @Test func badSidecarIsNamed() throws {
        let path = try model(outputs: 7, sidecar: #"{"input_range": "0-255"}"#)
        let sidecarPath = URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("json").path
        #expect(throws: ModelError.sidecar(path: sidecarPath, reason: "expected \"input_range\" to be \"[0,1]\" or \"[-1,1]\", found 0-255")) {
            try ModelProfile.resolve(modelPath: path, outputs: 7)
        }
    }

    @Test func inputRangeText() {
        #expect(ModelProfile.InputRange(text: "[0,1]") == .zeroToOne)
        #expect(ModelProfile.InputRange(text: "-1, 1") == .minusOneToOne)
        #expect(ModelProfile.InputRange(text: "0,255") == nil)
        #expect(ModelProfile.InputRange.minusOneToOne.normalize(0) == -1)
        #expect(ModelProfile.InputRange.minusOneToOne.normalize(255) == 1)
        #expect(ModelProfile.InputRange.zeroToOne.normalize(255) == 1)
    }

    @Test func csvQuotesOnlyWhenNeeded() {
        #expect(CSV.line(["a", "b,c", "say \"hi\""]) == #"a,"b,c","say ""hi""""#)
        #expect(CSV.decimal(0.5) == "0.500000")
    }
}

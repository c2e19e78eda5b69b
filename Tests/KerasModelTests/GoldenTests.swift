import Foundation
import Testing
@testable import KerasModel

/// Outputs must equal TensorFlow's to 1e-5 (absolute): float32 arithmetic in a different order (and
/// BatchNormalization folded into the convolution weights) moves results by a few ulps, far below that.
@Suite struct GoldenTests {
    static let tolerance: Float = 1e-5

    @Test(arguments: ["dense_activations", "conv_functional", "vgg48_sequential"], [true, false])
    func smallModelsMatchTensorFlow(name: String, fold: Bool) throws {
        let golden = try Fixtures.golden(name + ".golden.json")
        let model = try KerasModel(path: try Fixtures.kerasFile(golden.model), options: .init(foldBatchNormalization: fold))
        #expect(model.inputShape == golden.input_shape)
        let logits = try #require(golden.logits)
        for (sample, (input, expected)) in zip(golden.inputs, golden.outputs).enumerated() {
            let output = try model.predict(input)
            #expect(output.count == expected.count)
            let worst = Fixtures.largestDifference(output, expected)
            #expect(worst.difference <= Self.tolerance,
                    "\(name) sample \(sample): output[\(worst.index)] = \(worst.ours), TensorFlow \(worst.reference)")
            // Softmax loses nothing but a constant: centred log-probabilities are the centred logits. On
            // unsaturated outputs this sees an error in any layer upstream that the probabilities might hide.
            let ours = Self.centred(output.map { Foundation.log($0) }), reference = Self.centred(logits[sample])
            let logWorst = Fixtures.largestDifference(ours, reference)
            #expect(logWorst.difference <= Self.tolerance, "\(name) sample \(sample): log-probability[\(logWorst.index)] off by \(logWorst.difference)")
        }
    }

    static func centred(_ values: [Float]) -> [Float] {
        let mean = values.reduce(0, +) / Float(values.count)
        return values.map { $0 - mean }
    }

    /// A golden must be able to fail: every class of every sample keeps a probability an error would move.
    @Test(arguments: ["dense_activations", "conv_functional", "vgg48_sequential"])
    func smallGoldensAreNotSaturated(name: String) throws {
        let golden = try Fixtures.golden(name + ".golden.json")
        for output in golden.outputs {
            #expect(output.min()! > 0.01 && output.max()! < 0.9, "\(name): \(output)")
        }
    }

    /// A file h5py wrote (scripts/reference/json_to_h5py.py, committed), not the project's own writer: the
    /// loader must not depend on the layout choices of the files it made itself.
    @Test func aFileWrittenByH5pyMatchesTensorFlow() throws {
        let golden = try Fixtures.golden("dense_activations.golden.json")
        let path = Fixtures.keras.appendingPathComponent("dense_activations.h5py.hdf5").path
        let model = try KerasModel(path: path)
        let rebuilt = try KerasModel(path: try Fixtures.kerasFile(golden.model))
        #expect(model.layers == rebuilt.layers)
        for (input, expected) in zip(golden.inputs, golden.outputs) {
            let output = try model.predict(input)
            #expect(output == (try rebuilt.predict(input)))
            #expect(Fixtures.largestDifference(output, expected).difference <= Self.tolerance)
        }
    }

    @Test(arguments: [true, false])
    func defaultModelMatchesTensorFlowOnRandomInputs(fold: Bool) throws {
        let golden = try Fixtures.golden("emotion_model.golden.json")
        let model = try KerasModel(path: try Fixtures.defaultModel, options: .init(foldBatchNormalization: fold))
        for (sample, (input, expected)) in zip(golden.inputs, golden.outputs).enumerated() {
            let worst = Fixtures.largestDifference(try model.predict(input), expected)
            #expect(worst.difference <= Self.tolerance,
                    "sample \(sample): probability[\(worst.index)] = \(worst.ours), TensorFlow \(worst.reference)")
        }
    }

    @Test func defaultModelMatchesTensorFlowOnFaceCrops() throws {
        let golden = try Fixtures.golden("emotion_model.golden.json")
        let model = try KerasModel(path: try Fixtures.defaultModel)
        let crops = try #require(golden.crops)
        #expect(crops.count >= 4)
        for crop in crops {
            // The reference normalises as the fer pipeline does: x / 255, then (x - 0.5) * 2.
            let input = crop.resized.map { (Float($0) / 255 - 0.5) * 2 }
            let worst = Fixtures.largestDifference(try model.predict(input), crop.probabilities)
            #expect(worst.difference <= Self.tolerance,
                    "\(crop.image): probability[\(worst.index)] = \(worst.ours), TensorFlow \(worst.reference)")
        }
    }

    @Test func defaultModelStructure() throws {
        let model = try KerasModel(path: try Fixtures.defaultModel)
        #expect(model.kerasVersion == "2.0.5")
        #expect(model.inputShape == [64, 64, 1])
        #expect(model.outputShape == [7])
        #expect(model.parameterCount == 58_423)
        #expect(Set(model.layers.map(\.type)) == ["InputLayer", "Conv2D", "BatchNormalization", "Activation", "SeparableConv2D",
                                                  "MaxPooling2D", "Add", "GlobalAveragePooling2D"])
    }
}

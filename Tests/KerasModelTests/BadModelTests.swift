import Foundation
import Testing
import KerasTestSupport
@testable import KerasModel

@Suite struct BadModelTests {
    private func temporaryFile(_ name: String, contents: Data) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try contents.write(to: url)
        return url.path
    }

    @Test func missingFile() {
        #expect(throws: ModelError.notHDF5(path: "/nonexistent/model.hdf5", reason: "no such file")) {
            try KerasModel(path: "/nonexistent/model.hdf5")
        }
    }

    @Test func notAnHDF5File() throws {
        let path = try temporaryFile("model.hdf5", contents: Data("not a model\n".utf8))
        let error = ModelError.notHDF5(path: path, reason: "not an HDF5 file")
        #expect(throws: error) { try KerasModel(path: path) }
        #expect(error.description == "\(path): expected a Keras HDF5 model, but the file cannot be opened as HDF5: not an HDF5 file")
    }

    @Test func truncatedModel() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.defaultModel))
        let path = try temporaryFile("truncated.hdf5", contents: whole.prefix(whole.count / 2))
        do {
            _ = try KerasModel(path: path)
            Issue.record("a truncated model loaded")
        } catch let error as ModelError {
            // HDF5 may refuse the file at open (its end-of-file address is past the end) or while reading weights.
            let message = error.description
            #expect(message.hasPrefix(path + ": expected"), "\(message)")
        }
    }

    @Test func weightsOnlyFile() throws {
        let path = try Fixtures.kerasFile("weights_only.weights.h5")
        #expect(throws: ModelError.notAKerasModel(path: path, found: "a weights-only file (saved with save_weights: no model_config attribute)")) {
            try KerasModel(path: path)
        }
    }

    @Test func unsupportedLayerNamesItsTypeItsNameAndTheSupportedList() throws {
        let path = try Fixtures.kerasFile("unsupported_layer.h5")
        do {
            _ = try KerasModel(path: path)
            Issue.record("a model with LayerNormalization loaded")
        } catch let error as ModelError {
            guard case let .unsupportedLayer(errorPath, type, name, supported) = error else {
                Issue.record("unexpected error: \(error)")
                return
            }
            #expect(errorPath == path && type == "LayerNormalization" && name == "layer_norm")
            #expect(supported.contains("SeparableConv2D") && supported.contains("Concatenate"))
            #expect(error.description.hasPrefix("\(path): unsupported layer 'LayerNormalization' (layer 'layer_norm'); supported: Activation, Add,"))
        }
    }

    /// A small file declaring a 2^27 × 2^27 weight (256 PB of floats) it never stores.
    @Test func hugeDeclaredDatasetIsRefusedBeforeAllocating() throws {
        let path = try Fixtures.craftedKerasFile("dense_activations.h5", change: { description in
            var datasets = description["datasets"] as! [[String: Any]]
            datasets[1]["shape"] = [1 << 27, 1 << 27]
            datasets[1]["values"] = [Float]()
            description["datasets"] = datasets
        })
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(size < 64 * 1024)
        do {
            _ = try KerasModel(path: path)
            Issue.record("a model declaring 256 PB of weights loaded")
        } catch let error as ModelError {
            #expect(error.description.contains("expected weights of at most 1073741824 bytes"), "\(error)")
        }
    }

    @Test(arguments: [[100_000, 100_000], [0, 10], [-1, 10], [1e30, 1]] as [[Double]])
    func absurdInputShapesAreRefused(shape: [Double]) throws {
        let path = try Fixtures.craftedKerasFile("dense_activations.h5", config: { modelConfig in
            var config = modelConfig["config"] as! [String: Any]
            var layers = config["layers"] as! [[String: Any]]
            var input = layers[0]["config"] as! [String: Any]
            input["batch_shape"] = [NSNull()] + shape.map { NSNumber(value: $0) }
            layers[0]["config"] = input
            config["layers"] = layers
            modelConfig["config"] = config
        })
        do {
            _ = try KerasModel(path: path)
            Issue.record("a model with input shape \(shape) loaded")
        } catch let error as ModelError {
            #expect(error.description.hasPrefix(path + ": "), "\(error)")
        }
    }

    @Test func activationsBeyondTheLimitAreRefused() throws {
        let path = try Fixtures.craftedKerasFile("vgg48_sequential.h5")
        #expect(throws: Never.self) { try KerasModel(path: path) }
        do {
            _ = try KerasModel(path: path, options: .init(memoryLimit: 16 * 1024))
            Issue.record("a model over its memory limit loaded")
        } catch let error as ModelError {
            #expect(error.description.contains("of at most 16384 bytes"), "\(error)")
        }
    }

    /// Inputs `make fuzz` found (Tests/Fixtures/fuzz/keras), replayed as the harness runs them.
    @Test func inputsTheFuzzerFoundAreRefused() throws {
        let folder = Fixtures.root.appendingPathComponent("Tests/Fixtures/fuzz/keras")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!files.isEmpty)
        for file in files {
            let description = try JSONDecoder().decode(HDF5Writer.Description.self, from: Data(contentsOf: folder.appendingPathComponent(file)))
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(UUID().uuidString).h5").path
            // Each was a crash of the writer (values shorter than their shape); it must refuse them itself.
            #expect(throws: (any Error).self, "\(file)") { try HDF5Writer.write(description, to: path) }
        }
    }

    @Test func wrongInputSize() throws {
        let model = try KerasModel(path: try Fixtures.defaultModel)
        #expect(throws: ModelError.input(expected: "4096 values for shape (None, 64, 64, 1)", found: "10")) {
            try model.predict([Float](repeating: 0, count: 10))
        }
    }
}

@Suite struct LayerRuleTests {
    @Test func samePaddingPutsTheExtraPixelAfter() {
        // TensorFlow: input 6, kernel 3, stride 2 → 3 outputs, total padding 1, none before, one after.
        let axis = WindowAxis(input: 6, kernel: 3, stride: 2, same: true)
        #expect(axis.output == 3 && axis.padBefore == 0)
        let odd = WindowAxis(input: 5, kernel: 4, stride: 1, same: true)
        #expect(odd.output == 5 && odd.padBefore == 1)
        let valid = WindowAxis(input: 7, kernel: 3, stride: 2, dilation: 1, same: false)
        #expect(valid.output == 3 && valid.padBefore == 0)
        let dilated = WindowAxis(input: 9, kernel: 3, stride: 1, dilation: 2, same: false)
        #expect(dilated.output == 5)
    }

    @Test func softmaxIsStableForLargeLogits() {
        var values: [Float] = [1000, 1001, 1002]
        values.withUnsafeMutableBufferPointer { ActivationFunction.softmax($0, channels: 3) }
        #expect(abs(values.reduce(0, +) - 1) < 1e-6)
        #expect(values[2] > values[1] && values[1] > values[0])
    }
}

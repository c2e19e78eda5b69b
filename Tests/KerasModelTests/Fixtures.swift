import Foundation
import Testing
@testable import KerasModel
import KerasTestSupport

/// The committed golden fixtures (written by scripts/reference/keras_goldens.py with TensorFlow).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let keras = root.appendingPathComponent("Tests/Fixtures/keras")

    /// A test model rebuilt as HDF5 from its committed JSON description (`<name>.json`) in a new temporary folder.
    static func kerasFile(_ name: String) throws -> String {
        let description = try JSONDecoder().decode(HDF5Writer.Description.self,
                                                   from: Data(contentsOf: keras.appendingPathComponent(name + ".json")))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try HDF5Writer.write(description, to: path)
        return path
    }

    /// A test model rebuilt from its description, edited first (see `HDF5Writer.crafted`).
    static func craftedKerasFile(_ name: String, change: (inout [String: Any]) -> Void = { _ in },
                                 config: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        try HDF5Writer.crafted(from: keras.appendingPathComponent(name + ".json"), change: change, config: config)
    }

    static var defaultModel: String {
        get throws {
            let path = root.appendingPathComponent("models/emotion_model.hdf5").path
            guard FileManager.default.fileExists(atPath: path) else {
                throw FixtureError("models/emotion_model.hdf5 is missing: run 'make assets' (make test does it)")
            }
            return path
        }
    }

    struct Golden: Decodable {
        struct Crop: Decodable {
            let image: String
            let resized: [UInt8]
            let probabilities: [Float]
        }

        let model: String
        let input_shape: [Int]
        let inputs: [[Float]]
        let outputs: [[Float]]
        /// What the final softmax layer computed before its activation (the small test models only).
        let logits: [[Float]]?
        let crops: [Crop]?
    }

    static func golden(_ name: String) throws -> Golden {
        let data = try Data(contentsOf: keras.appendingPathComponent(name))
        return try JSONDecoder().decode(Golden.self, from: data)
    }

    /// Where two vectors differ most: (index, ours, reference, |difference|).
    static func largestDifference(_ ours: [Float], _ reference: [Float]) -> (index: Int, ours: Float, reference: Float, difference: Float) {
        var worst = (index: -1, ours: Float(0), reference: Float(0), difference: Float(0))
        for index in ours.indices where abs(ours[index] - reference[index]) > worst.difference || worst.index < 0 {
            worst = (index, ours[index], reference[index], abs(ours[index] - reference[index]))
        }
        return worst
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

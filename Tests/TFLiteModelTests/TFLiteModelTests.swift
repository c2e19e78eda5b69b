import Foundation
import Testing
@testable import TFLiteModel

enum Paths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func repository(_ relative: String) throws -> String {
        let path = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else { throw TFLiteError.unreadable(path: relative, reason: "missing: run 'make test'") }
        return path
    }
}

/// Seeded inputs in [-1, 1): xorshift32, as scripts/reference/blazeface_goldens.py makes them.
func xorshiftInputs(seed: UInt32, count: Int) -> [Float] {
    var state = seed
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return Float(state >> 8) / Float(1 << 24) * 2 - 1
    }
}

@Suite struct TFLiteModelTests {
    struct RawCase: Decodable {
        struct Output: Decodable {
            let shape: [Int]
            let every97th: [Double]
            let sum: Double
            let sumOfSquares: Double
        }
        let model: String
        let seed: UInt32
        let outputs: [Output]
    }

    static let files = ["full": "models/face_detection_full_range.tflite", "short": "models/face_detection_short_range.tflite"]

    /// TensorFlow's TFLite interpreter's outputs on seeded random inputs (Tests/Fixtures/blazeface/raw_outputs.json):
    /// every 97th value within 1e-4, and each output's sum and sum of squares within 1e-4 per element.
    @Test func rawOutputsMatchTensorFlowLite() throws {
        struct Fixture: Decodable { let cases: [RawCase] }
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: try Paths.repository("Tests/Fixtures/blazeface/raw_outputs.json"))))
        #expect(fixture.cases.count == 4)
        var models: [String: TFLiteModel] = [:]
        for reference in fixture.cases {
            let model = try models[reference.model] ?? TFLiteModel(path: try Paths.repository(Self.files[reference.model]!))
            models[reference.model] = model
            let session = TFLiteSession(model: model)
            let outputs = try session.run(xorshiftInputs(seed: reference.seed, count: model.inputShape.reduce(1, *)))
            #expect(model.outputShapes == reference.outputs.map(\.shape))
            var largest = 0.0
            for (output, expected) in zip(outputs, reference.outputs) {
                for (index, value) in expected.every97th.enumerated() {
                    let difference = abs(Double(output[index * 97]) - value)
                    largest = max(largest, difference)
                    #expect(difference <= 1e-4, "\(reference.model) seed \(reference.seed): value \(index * 97) is \(output[index * 97]), TFLite \(value)")
                }
                let count = Double(output.count)
                #expect(abs(output.reduce(0.0) { $0 + Double($1) } - expected.sum) <= 1e-4 * count)
                // Each value within 1e-4 moves its square by at most 2·|v|·1e-4 (plus 1e-8).
                let squareBound = output.reduce(0.0) { $0 + 2e-4 * abs(Double($1)) + 1e-8 }
                #expect(abs(output.reduce(0.0) { $0 + Double($1) * Double($1) } - expected.sumOfSquares) <= squareBound)
            }
            print("TFLite parity, \(reference.model) seed \(reference.seed): largest difference \(largest)")
        }
    }

    /// BlazeFace's blocks end in ADD then RELU after a 1×1 convolution (the skip path sometimes through a PAD of
    /// channels): every RELU, every ADD of a convolution's output and every such PAD runs in a kernel's epilogue
    /// instead of a pass of its own (the outputs above still match). The full-range model's three ADDs of an upsampled map to a convolution's output
    /// after its RELU stay.
    @Test func addsAndActivationsRunInTheKernelsEpilogues() throws {
        for (file, expectedAdds) in [(Self.files["full"]!, 3), (Self.files["short"]!, 0)] {
            let model = try TFLiteModel(path: try Paths.repository(file))
            // Those a following ADD could join: a convolution's own activation (here a RELU) comes before the ADD.
            let convolutionOutputs = Set(model.steps.compactMap { step -> Int? in
                if case .convolution(_, _, _, _, _, .none, _) = step { return step.output } else { return nil }
            })
            var residuals = 0, adds = 0, narrowResiduals = 0
            for step in model.steps {
                switch step {
                case .activation: Issue.record("\(file): a standalone \(step)")
                case .pad: Issue.record("\(file): a PAD of the skip path left as a pass of its own: \(step)")
                case let .convolution(_, _, _, _, _, _, residual?) where residual.channels != nil:
                    residuals += 1
                    narrowResiduals += 1
                case let .add(a, b, _, _):
                    adds += 1
                    #expect(!convolutionOutputs.contains(a) && !convolutionOutputs.contains(b), "\(file): \(step) could be a convolution's epilogue")
                case .convolution(_, _, _, _, _, _, .some): residuals += 1
                default: break
                }
            }
            #expect(adds == expectedAdds, "\(file)")
            #expect(residuals >= 16, "\(file): \(residuals) convolutions with a residual")
            #expect(narrowResiduals >= 8, "\(file): \(narrowResiduals) residuals read from before their channel PAD")
        }
    }

    @Test func unsupportedOperatorsAndBrokenFilesAreRefusedByName() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Paths.repository(Self.files["short"]!))))
        #expect(throws: TFLiteError.malformed(path: "x.tflite", what: "identifier 'ABCD'")) {
            var wrong = bytes
            wrong.replaceSubrange(4..<8, with: Array("ABCD".utf8))
            try TFLiteModel(bytes: wrong, path: "x.tflite")
        }
        #expect(throws: TFLiteError.malformed(path: "x.tflite", what: "3 bytes")) { try TFLiteModel(bytes: [1, 2, 3], path: "x.tflite") }
        // Every truncation is an error, never a crash.
        for length in stride(from: 8, to: bytes.count, by: max(1, bytes.count / 97)) {
            #expect(throws: (any Error).self) { try TFLiteModel(bytes: Array(bytes.prefix(length)), path: "cut.tflite") }
        }
        // An operator whose required input is left out (-1), as the fuzzer found: an error, not a trap.
        let graph = try FlatBuffer.Table(buffer: FlatBuffer(bytes: bytes, path: "x"), position: Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)).tables(2)[0]
        let firstInputs = try #require(try graph.tables(3)[0].vector(1, elementSize: 4))
        var missingInput = bytes
        missingInput.replaceSubrange(firstInputs.start..<(firstInputs.start + 4), with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: TFLiteError.self) { try TFLiteModel(bytes: missingInput, path: "x.tflite") }
        // The first operator code turned into SOFTMAX (25; this model states only the deprecated 8-bit code): refused by name.
        let root = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        let buffer = FlatBuffer(bytes: bytes, path: "x")
        let codes = try FlatBuffer.Table(buffer: buffer, position: root).tables(1)
        let position = try #require(try codes[0].field(0))
        bytes[position] = 25
        #expect(throws: TFLiteError.unsupportedOperator(path: "x.tflite", name: "SOFTMAX", supported: TFLiteModel.supportedOperators)) {
            try TFLiteModel(bytes: bytes, path: "x.tflite")
        }
    }
}

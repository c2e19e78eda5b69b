import Foundation

/// The parts of a `.tflite` FlatBuffer (TensorFlow's `tensorflow/lite/schema/schema.fbs`) that running one
/// subgraph needs: tensors with their shapes, types and constant data, and the operators in order.
struct TFLiteFile {
    struct Tensor {
        let name: String
        let shape: [Int]
        let type: UInt8
        /// The constant data, for weights; nil for activations.
        let data: ArraySlice<UInt8>?

        var elementCount: Int { shape.reduce(1, *) }
    }

    struct Operator {
        let code: Int32
        let inputs: [Int]
        let outputs: [Int]
        let options: FlatBuffer.Table?
    }

    let path: String
    let tensors: [Tensor]
    let operators: [Operator]
    let inputs: [Int]
    let outputs: [Int]

    /// The largest file read (the full-range BlazeFace model is about 1 MB).
    static let maximumBytes = 256 << 20
    /// The most elements one tensor may hold (64 MiB of floats; BlazeFace's largest holds 1.2 million).
    static let maximumElements = 1 << 24

    enum TensorType {
        static let float32: UInt8 = 0, float16: UInt8 = 1, int32: UInt8 = 2
        static let names = ["FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64", "INT8", "FLOAT64"]
        static func name(_ type: UInt8) -> String { Int(type) < names.count ? names[Int(type)] : "type \(type)" }
    }

    init(path: String) throws {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = attributes?[.size] as? Int else {
            throw TFLiteError.unreadable(path: path, reason: "no readable file at this path")
        }
        guard size <= Self.maximumBytes else {
            throw TFLiteError.unreadable(path: path, reason: "the file has \(size) bytes, more than the \(Self.maximumBytes) accepted")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TFLiteError.unreadable(path: path, reason: "the file cannot be read")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    init(bytes: [UInt8], path: String) throws {
        self.path = path
        guard bytes.count >= 8, bytes[4..<8].elementsEqual("TFL3".utf8) else {
            throw TFLiteError.malformed(path: path, what: bytes.count < 8 ? "\(bytes.count) bytes" : "identifier '\(String(decoding: bytes[4..<8], as: UTF8.self))'")
        }
        let buffer = FlatBuffer(bytes: bytes, path: path)
        let model = try buffer.root()
        // Model: 1 operator_codes, 2 subgraphs, 4 buffers.
        let codes = try model.tables(1).map { code -> Int32 in
            // OperatorCode: 0 deprecated_builtin_code (int8), 3 builtin_code; TensorFlow reads the larger.
            let deprecated = Int32(Int8(bitPattern: try code.uint8(0)))
            return max(deprecated, try code.int32(3))
        }
        let buffers = try model.tables(4)
        let subgraphs = try model.tables(2)
        guard subgraphs.count == 1, let graph = subgraphs.first else {
            throw TFLiteError.malformed(path: path, what: "\(subgraphs.count) subgraphs (expected one)")
        }
        // SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators.
        tensors = try graph.tables(0).enumerated().map { index, tensor in
            // Tensor: 0 shape, 1 type, 2 buffer, 3 name.
            let shape = try tensor.int32s(0).map(Int.init)
            let name = try tensor.string(3) ?? "tensor \(index)"
            guard shape.count <= 8, shape.allSatisfy({ $0 >= 0 && $0 <= 1 << 20 }) else {
                throw TFLiteError.malformed(path: path, what: "tensor '\(name)' with shape \(shape)")
            }
            guard shape.reduce(1, { $0.multipliedReportingOverflow(by: max($1, 1)).partialValue }) <= Self.maximumElements else {
                throw TFLiteError.malformed(path: path, what: "tensor '\(name)' of shape \(shape), more than \(Self.maximumElements) elements")
            }
            let bufferIndex = Int(try tensor.uint32(2))
            var data: ArraySlice<UInt8>?
            if bufferIndex > 0 {
                guard bufferIndex < buffers.count else {
                    throw TFLiteError.malformed(path: path, what: "tensor '\(name)' naming buffer \(bufferIndex) of \(buffers.count)")
                }
                // Buffer: 0 data; 1 offset, 2 size (data stored outside the FlatBuffer, for models over 2 GB).
                if try buffers[bufferIndex].uint64(1) != 0 {
                    throw TFLiteError.malformed(path: path, what: "tensor '\(name)' stored outside the FlatBuffer (not supported)")
                }
                data = try buffers[bufferIndex].bytes(0)
                if data?.isEmpty == true { data = nil }
            }
            return Tensor(name: name, shape: shape, type: try tensor.uint8(1), data: data)
        }
        let tensorCount = tensors.count
        func indices(_ values: [Int32], _ what: String) throws -> [Int] {
            try values.map { value in
                // -1 marks an optional input left out.
                guard value >= -1, Int(value) < tensorCount else {
                    throw TFLiteError.malformed(path: path, what: "\(what) naming tensor \(value) of \(tensorCount)")
                }
                return Int(value)
            }
        }
        inputs = try indices(try graph.int32s(1), "the graph's inputs")
        outputs = try indices(try graph.int32s(2), "the graph's outputs")
        operators = try graph.tables(3).enumerated().map { index, op in
            // Operator: 0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type, 4 builtin_options.
            let opcode = Int(try op.uint32(0))
            guard opcode < codes.count else {
                throw TFLiteError.malformed(path: path, what: "operator \(index) naming operator code \(opcode) of \(codes.count)")
            }
            return Operator(code: codes[opcode], inputs: try indices(try op.int32s(1), "operator \(index)'s inputs"),
                            outputs: try indices(try op.int32s(2), "operator \(index)'s outputs"), options: try op.table(4))
        }
    }

    /// The constant values of a FLOAT32 or FLOAT16 tensor as floats, checked against its shape.
    func floats(_ index: Int) throws -> [Float] {
        let tensor = tensors[index]
        guard let data = tensor.data else {
            throw TFLiteError.malformed(path: path, what: "tensor '\(tensor.name)' without the constant data its operator needs")
        }
        switch tensor.type {
        case TensorType.float32:
            guard data.count == tensor.elementCount * 4 else { throw sizeMismatch(tensor, bytes: data.count, each: 4) }
            return stride(from: data.startIndex, to: data.endIndex, by: 4).map { at in
                Float(bitPattern: UInt32(data[at]) | UInt32(data[at + 1]) << 8 | UInt32(data[at + 2]) << 16 | UInt32(data[at + 3]) << 24)
            }
        case TensorType.float16:
            guard data.count == tensor.elementCount * 2 else { throw sizeMismatch(tensor, bytes: data.count, each: 2) }
            return stride(from: data.startIndex, to: data.endIndex, by: 2).map { at in
                Float(Float16(bitPattern: UInt16(data[at]) | UInt16(data[at + 1]) << 8))
            }
        default:
            throw TFLiteError.unsupportedTensor(path: path, tensor: tensor.name, type: TensorType.name(tensor.type))
        }
    }

    /// The constant values of an INT32 tensor (shapes, paddings, sizes).
    func ints(_ index: Int) throws -> [Int] {
        let tensor = tensors[index]
        guard tensor.type == TensorType.int32, let data = tensor.data else {
            throw TFLiteError.malformed(path: path, what: "tensor '\(tensor.name)' where constant INT32 values were expected")
        }
        guard data.count == tensor.elementCount * 4 else { throw sizeMismatch(tensor, bytes: data.count, each: 4) }
        return stride(from: data.startIndex, to: data.endIndex, by: 4).map { at in
            Int(Int32(bitPattern: UInt32(data[at]) | UInt32(data[at + 1]) << 8 | UInt32(data[at + 2]) << 16 | UInt32(data[at + 3]) << 24))
        }
    }

    private func sizeMismatch(_ tensor: Tensor, bytes: Int, each: Int) -> TFLiteError {
        .malformed(path: path, what: "tensor '\(tensor.name)' of shape \(tensor.shape) with \(bytes) bytes of data (expected \(tensor.elementCount * each))")
    }
}

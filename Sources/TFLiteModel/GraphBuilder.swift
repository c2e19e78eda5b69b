import KerasModel

/// Turns the file's operators into steps, checking every shape the step will rely on against the shapes the
/// file states, and resolving constant inputs (FLOAT16 weights behind DEQUANTIZE are widened here, once).
struct GraphBuilder {
    let file: TFLiteFile
    /// Constant float tensors: those with data, and the outputs of DEQUANTIZE on them.
    private var constants: [Int: [Float]] = [:]

    init(file: TFLiteFile) {
        self.file = file
    }

    /// TensorFlow Lite's `BuiltinOperator` numbers of the operators named in errors.
    static let operatorNames: [Int32: String] = [
        0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D", 5: "DEPTH_TO_SPACE", 6: "DEQUANTIZE",
        7: "EMBEDDING_LOOKUP", 8: "FLOOR", 9: "FULLY_CONNECTED", 10: "HASHTABLE_LOOKUP", 11: "L2_NORMALIZATION", 12: "L2_POOL_2D",
        13: "LOCAL_RESPONSE_NORMALIZATION", 14: "LOGISTIC", 15: "LSH_PROJECTION", 16: "LSTM", 17: "MAX_POOL_2D", 18: "MUL", 19: "RELU",
        20: "RELU_N1_TO_1", 21: "RELU6", 22: "RESHAPE", 23: "RESIZE_BILINEAR", 24: "RNN", 25: "SOFTMAX", 26: "SPACE_TO_DEPTH", 27: "SVDF",
        28: "TANH", 32: "CUSTOM", 34: "PAD", 39: "TRANSPOSE", 40: "MEAN", 41: "SUB", 42: "DIV", 43: "SQUEEZE", 45: "STRIDED_SLICE",
        49: "SPLIT", 53: "CAST", 54: "PRELU", 55: "MAXIMUM", 65: "SLICE", 67: "TRANSPOSE_CONV", 74: "SUM", 76: "SQRT", 83: "PACK",
        97: "RESIZE_NEAREST_NEIGHBOR", 98: "LEAKY_RELU", 114: "QUANTIZE", 117: "HARD_SWISH",
    ]

    private func name(_ code: Int32) -> String { Self.operatorNames[code] ?? "BuiltinOperator \(code)" }

    private func mismatch(_ op: String, _ expected: String, _ found: String) -> TFLiteError {
        .shapeMismatch(path: file.path, operation: op, expected: expected, found: found)
    }

    private func shape(_ tensor: Int) -> [Int] { file.tensors[tensor].shape }

    /// The floats of a constant input, as many as its shape says.
    private func constant(_ tensor: Int) throws -> [Float] {
        let values = try constants[tensor] ?? file.floats(tensor)
        guard values.count == file.tensors[tensor].elementCount else {
            throw mismatch("tensor '\(file.tensors[tensor].name)'", "\(file.tensors[tensor].elementCount) values for its shape \(shape(tensor))", "\(values.count)")
        }
        return values
    }

    /// An image tensor's height, width and channels (batch 1).
    private func image(_ tensor: Int, _ op: String) throws -> (height: Int, width: Int, channels: Int) {
        let shape = shape(tensor)
        guard shape.count == 4, shape[0] == 1 else { throw mismatch(op, "a [1, height, width, channels] tensor", "\(shape)") }
        return (shape[1], shape[2], shape[3])
    }

    private func activation(_ code: UInt8, _ op: String) throws -> TFLiteModel.Activation {
        switch code {
        case 0: return .none
        case 1: return .relu
        case 3: return .relu6
        default:
            let names: [UInt8: String] = [2: "RELU_N1_TO_1", 4: "TANH", 5: "SIGN_BIT"]
            throw TFLiteError.unsupportedOperator(path: file.path, name: "\(op) with the fused activation \(names[code] ?? "\(code)")",
                                                  supported: ["NONE", "RELU", "RELU6"])
        }
    }

    /// A window's geometry from the options' padding (0 SAME, 1 VALID), checked against the output's size.
    private func geometry(_ op: String, input: (height: Int, width: Int), output: (height: Int, width: Int), kernel: (Int, Int),
                          stride: (Int32, Int32), dilation: (Int32, Int32), padding: UInt8) throws -> WindowGeometry {
        guard stride.0 >= 1, stride.1 >= 1, dilation.0 >= 1, dilation.1 >= 1, kernel.0 >= 1, kernel.1 >= 1, padding <= 1 else {
            throw TFLiteError.malformed(path: file.path, what: "\(op) with kernel \(kernel), strides \(stride), dilation \(dilation), padding \(padding)")
        }
        let geometry = WindowGeometry(
            rows: WindowAxis(input: input.height, kernel: kernel.0, stride: Int(stride.0), dilation: Int(dilation.0), same: padding == 0),
            columns: WindowAxis(input: input.width, kernel: kernel.1, stride: Int(stride.1), dilation: Int(dilation.1), same: padding == 0))
        guard geometry.rows.output == output.height, geometry.columns.output == output.width else {
            throw mismatch(op, "an output of \(geometry.rows.output)x\(geometry.columns.output)", "\(output.height)x\(output.width)")
        }
        return geometry
    }

    /// Checks the operator's input and output counts; only the inputs at `optional` may be left out (-1).
    private func arity(_ op: TFLiteFile.Operator, _ name: String, inputs: ClosedRange<Int>, optional: Set<Int> = []) throws {
        guard inputs.contains(op.inputs.count), op.outputs.count == 1, op.outputs[0] >= 0,
              op.inputs.indices.allSatisfy({ op.inputs[$0] >= 0 || optional.contains($0) }) else {
            throw TFLiteError.malformed(path: file.path, what: "\(name) with inputs \(op.inputs) and outputs \(op.outputs)")
        }
        for tensor in op.inputs + op.outputs where tensor >= 0 && file.tensors[tensor].data == nil && constants[tensor] == nil
            && file.tensors[tensor].type != TFLiteFile.TensorType.float32 {
            throw TFLiteError.unsupportedTensor(path: file.path, tensor: file.tensors[tensor].name, type: TFLiteFile.TensorType.name(file.tensors[tensor].type))
        }
    }

    /// The step for operator `index`, or nil when it only prepares a constant (DEQUANTIZE).
    mutating func step(_ op: TFLiteFile.Operator, index: Int) throws -> TFLiteModel.Step? {
        let opName = name(op.code)
        let label = "operator \(index) (\(opName))"
        let options = op.options
        switch op.code {
        case 6: // DEQUANTIZE
            try arity(op, label, inputs: 1...1)
            guard file.tensors[op.inputs[0]].data != nil else {
                throw TFLiteError.unsupportedOperator(path: file.path, name: "DEQUANTIZE of a computed tensor", supported: ["DEQUANTIZE of constant weights"])
            }
            guard shape(op.inputs[0]) == shape(op.outputs[0]) else {
                throw mismatch(label, "an output of the input's shape \(shape(op.inputs[0]))", "\(shape(op.outputs[0]))")
            }
            constants[op.outputs[0]] = try file.floats(op.inputs[0])
            return nil
        case 3: // CONV_2D: weights [out, kh, kw, in], bias [out]
            try arity(op, label, inputs: 2...3, optional: [2])
            let input = try image(op.inputs[0], label), output = try image(op.outputs[0], label)
            let weightShape = shape(op.inputs[1])
            guard weightShape.count == 4, weightShape[0] == output.channels, weightShape[3] == input.channels else {
                throw mismatch(label, "weights [\(output.channels), kh, kw, \(input.channels)]", "\(weightShape)")
            }
            let (filters, kh, kw, channels) = (weightShape[0], weightShape[1], weightShape[2], weightShape[3])
            let weights = try constant(op.inputs[1])
            let bias = op.inputs.count > 2 && op.inputs[2] >= 0 ? try constant(op.inputs[2]) : [Float](repeating: 0, count: filters)
            guard bias.count == filters else { throw mismatch(label, "\(filters) biases", "\(bias.count)") }
            // To the Keras layout [kh][kw][in][out], the `[patch][out]` matrix the product kernel takes.
            var kernel = [Float](repeating: 0, count: weights.count)
            for o in 0..<filters {
                for patch in 0..<(kh * kw * channels) { kernel[patch * filters + o] = weights[o * kh * kw * channels + patch] }
            }
            let geometry = try geometry(label, input: (input.height, input.width), output: (output.height, output.width), kernel: (kh, kw),
                                        stride: (try options?.int32(2) ?? 0, try options?.int32(1) ?? 0),
                                        dilation: (try options?.int32(5, default: 1) ?? 1, try options?.int32(4, default: 1) ?? 1),
                                        padding: try options?.uint8(0) ?? 0)
            return .convolution(input: op.inputs[0], output: op.outputs[0], geometry: geometry, inputChannels: channels,
                                matrix: PackedMatrix(rows: kh * kw * channels, columns: filters, values: kernel, bias: bias),
                                activation: try activation(try options?.uint8(3) ?? 0, label), residual: nil)
        case 4: // DEPTHWISE_CONV_2D: weights [1, kh, kw, in·multiplier]
            try arity(op, label, inputs: 2...3, optional: [2])
            let input = try image(op.inputs[0], label), output = try image(op.outputs[0], label)
            let weightShape = shape(op.inputs[1])
            guard weightShape.count == 4, weightShape[0] == 1, weightShape[3] == output.channels, input.channels > 0,
                  output.channels % input.channels == 0 else {
                throw mismatch(label, "weights [1, kh, kw, \(output.channels)] for \(input.channels) input channels", "\(weightShape)")
            }
            let bias = op.inputs.count > 2 && op.inputs[2] >= 0 ? try constant(op.inputs[2]) : [Float](repeating: 0, count: output.channels)
            guard bias.count == output.channels else { throw mismatch(label, "\(output.channels) biases", "\(bias.count)") }
            let geometry = try geometry(label, input: (input.height, input.width), output: (output.height, output.width),
                                        kernel: (weightShape[1], weightShape[2]),
                                        stride: (try options?.int32(2) ?? 0, try options?.int32(1) ?? 0),
                                        dilation: (try options?.int32(6, default: 1) ?? 1, try options?.int32(5, default: 1) ?? 1),
                                        padding: try options?.uint8(0) ?? 0)
            let kernel = DepthwiseKernel(geometry: geometry, inputChannels: input.channels, multiplier: output.channels / input.channels,
                                         kernel: try constant(op.inputs[1]))
            return .depthwise(input: op.inputs[0], output: op.outputs[0], kernel: kernel, bias: bias,
                              activation: try activation(try options?.uint8(4) ?? 0, label))
        case 17: // MAX_POOL_2D
            try arity(op, label, inputs: 1...1)
            let input = try image(op.inputs[0], label), output = try image(op.outputs[0], label)
            guard input.channels == output.channels else { throw mismatch(label, "\(input.channels) output channels", "\(output.channels)") }
            let geometry = try geometry(label, input: (input.height, input.width), output: (output.height, output.width),
                                        kernel: (Int(try options?.int32(4) ?? 0), Int(try options?.int32(3) ?? 0)),
                                        stride: (try options?.int32(2) ?? 0, try options?.int32(1) ?? 0), dilation: (1, 1),
                                        padding: try options?.uint8(0) ?? 0)
            return .maxPool(input: op.inputs[0], output: op.outputs[0], geometry: geometry, channels: input.channels,
                            activation: try activation(try options?.uint8(5) ?? 0, label))
        case 0: // ADD, same shapes only
            try arity(op, label, inputs: 2...2)
            guard shape(op.inputs[0]) == shape(op.outputs[0]), shape(op.inputs[1]) == shape(op.outputs[0]) else {
                throw mismatch(label, "two inputs of the output's shape \(shape(op.outputs[0])) (no broadcasting)", "\(shape(op.inputs[0])) and \(shape(op.inputs[1]))")
            }
            return .add(op.inputs[0], op.inputs[1], output: op.outputs[0], activation: try activation(try options?.uint8(0) ?? 0, label))
        case 19, 21: // RELU, RELU6
            try arity(op, label, inputs: 1...1)
            guard shape(op.inputs[0]) == shape(op.outputs[0]) else { throw mismatch(label, "the input's shape", "\(shape(op.outputs[0]))") }
            return .activation(input: op.inputs[0], output: op.outputs[0], op.code == 19 ? .relu : .relu6)
        case 22: // RESHAPE: the data stay in order
            try arity(op, label, inputs: 1...2)
            guard file.tensors[op.inputs[0]].elementCount == file.tensors[op.outputs[0]].elementCount else {
                throw mismatch(label, "\(file.tensors[op.inputs[0]].elementCount) elements", "an output of shape \(shape(op.outputs[0]))")
            }
            return .copy(input: op.inputs[0], output: op.outputs[0])
        case 34: // PAD: paddings [[before, after]] per dimension, batch untouched
            try arity(op, label, inputs: 2...2)
            let input = try image(op.inputs[0], label), output = try image(op.outputs[0], label)
            let paddings = try file.ints(op.inputs[1])
            guard paddings.count == 8, paddings[0] == 0, paddings[1] == 0, paddings.allSatisfy({ $0 >= 0 && $0 <= 1 << 16 }),
                  input.height + paddings[2] + paddings[3] == output.height, input.width + paddings[4] + paddings[5] == output.width,
                  input.channels + paddings[6] + paddings[7] == output.channels else {
                throw mismatch(label, "paddings that turn \(shape(op.inputs[0])) into \(shape(op.outputs[0]))", "\(paddings)")
            }
            return .pad(input: op.inputs[0], output: op.outputs[0], height: input.height, width: input.width, channels: input.channels,
                        rows: (paddings[2], paddings[3]), columns: (paddings[4], paddings[5]), channelsAround: (paddings[6], paddings[7]))
        case 2: // CONCATENATION along any axis
            guard !op.inputs.isEmpty else { throw TFLiteError.malformed(path: file.path, what: "\(label) without inputs") }
            try arity(op, label, inputs: 1...op.inputs.count)
            let outputShape = shape(op.outputs[0])
            let rank = outputShape.count
            var axis = Int(try options?.int32(0) ?? 0)
            if axis < 0 { axis += rank }
            guard (0..<rank).contains(axis), op.inputs.allSatisfy({ $0 >= 0 && shape($0).count == rank }) else {
                throw mismatch(label, "inputs of rank \(rank) joined along an axis below it", "axis \(axis)")
            }
            for input in op.inputs where (0..<rank).contains(where: { $0 != axis && shape(input)[$0] != outputShape[$0] }) {
                throw mismatch(label, "inputs matching \(outputShape) but along axis \(axis)", "\(shape(input))")
            }
            guard op.inputs.map({ shape($0)[axis] }).reduce(0, +) == outputShape[axis] else {
                throw mismatch(label, "inputs adding up to \(outputShape[axis]) along axis \(axis)", "\(op.inputs.map { shape($0)[axis] })")
            }
            guard try activation(try options?.uint8(1) ?? 0, label) == .none else {
                throw TFLiteError.unsupportedOperator(path: file.path, name: "CONCATENATION with a fused activation", supported: ["NONE"])
            }
            let outer = outputShape[..<axis].reduce(1, *)
            return .concatenate(inputs: op.inputs, output: op.outputs[0], outer: outer,
                                inners: op.inputs.map { shape($0)[axis...].reduce(1, *) })
        case 23: // RESIZE_BILINEAR: size [height, width] as a constant input
            try arity(op, label, inputs: 2...2)
            let input = try image(op.inputs[0], label), output = try image(op.outputs[0], label)
            let size = try file.ints(op.inputs[1])
            guard size == [output.height, output.width], input.channels == output.channels, input.height > 0, input.width > 0 else {
                throw mismatch(label, "a size of \(output.height)x\(output.width)", "\(size)")
            }
            return .resizeBilinear(input: op.inputs[0], output: op.outputs[0], from: (input.height, input.width),
                                   to: (output.height, output.width), channels: input.channels,
                                   alignCorners: try options?.bool(2) ?? false, halfPixelCenters: try options?.bool(3) ?? false)
        default:
            throw TFLiteError.unsupportedOperator(path: file.path, name: opName, supported: TFLiteModel.supportedOperators)
        }
    }
}

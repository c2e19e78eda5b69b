import KerasModel

/// A float TensorFlow Lite model (one subgraph, batch 1), run with the Keras layers' SIMD kernels: CONV_2D,
/// DEPTHWISE_CONV_2D and MAX_POOL_2D through the same functions as `Conv2D`, `DepthwiseConv2D` and
/// `MaxPooling2D`, PAD through `ZeroPadding2D`'s; ADD, RELU, RELU6, RESHAPE, CONCATENATION and
/// RESIZE_BILINEAR here. FLOAT16 weights behind DEQUANTIZE are widened once at load. Anything else is
/// refused by name when the model is loaded.
///
/// The model is immutable and shared; each thread runs it through its own `TFLiteSession`.
public final class TFLiteModel: @unchecked Sendable {
    public let path: String
    /// The input's shape, `[1, height, width, channels]`.
    public let inputShape: [Int]
    /// The outputs' shapes, in the graph's order.
    public let outputShapes: [[Int]]

    enum Step {
        /// `residual`: the other operand of an ADD that followed the convolution, added in the kernel's epilogue.
        case convolution(input: Int, output: Int, geometry: WindowGeometry, inputChannels: Int, matrix: PackedMatrix, activation: Activation,
                         residual: Residual?)
        case depthwise(input: Int, output: Int, kernel: DepthwiseKernel, bias: [Float], activation: Activation)
        case maxPool(input: Int, output: Int, geometry: WindowGeometry, channels: Int, activation: Activation)
        case add(Int, Int, output: Int, activation: Activation)
        case activation(input: Int, output: Int, Activation)
        case copy(input: Int, output: Int)
        case pad(input: Int, output: Int, height: Int, width: Int, channels: Int, rows: (Int, Int), columns: (Int, Int), channelsAround: (Int, Int))
        case concatenate(inputs: [Int], output: Int, outer: Int, inners: [Int])
        case resizeBilinear(input: Int, output: Int, from: (Int, Int), to: (Int, Int), channels: Int, alignCorners: Bool, halfPixelCenters: Bool)
    }

    /// A convolution's residual: a tensor of the output's shape, or (`channels` not nil) one with only the first
    /// `channels` of each output pixel's channels, the PAD of zero channels after them that made the ADD's operand
    /// folded into the epilogue.
    struct Residual: Equatable {
        let tensor: Int
        let channels: Int?
    }

    enum Activation {
        case none, relu, relu6

        var epilogue: Epilogue {
            switch self {
            case .none: return .none
            case .relu: return .relu
            case .relu6: return .relu6
            }
        }

        func apply(_ values: UnsafeMutablePointer<Float>, count: Int) {
            if self != .none { epilogue.apply(to: values, count: count, into: values) }
        }
    }

    let steps: [Step]
    /// Per activation tensor, its slot in a session's working memory; slots are reused once a tensor is dead.
    let slots: [Int: Int]
    let slotSizes: [Int]
    let inputTensor: Int
    let outputTensors: [Int]
    let tensorSizes: [Int]

    /// The operators this runner executes.
    public static let supportedOperators = ["ADD", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEQUANTIZE", "MAX_POOL_2D", "PAD",
                                            "RELU", "RELU6", "RESHAPE", "RESIZE_BILINEAR"]

    public convenience init(path: String) throws {
        try self.init(file: try TFLiteFile(path: path))
    }

    /// A model from the bytes of a `.tflite` file (`path` names it in errors).
    public convenience init(bytes: [UInt8], path: String) throws {
        try self.init(file: try TFLiteFile(bytes: bytes, path: path))
    }

    init(file: TFLiteFile) throws {
        path = file.path
        guard file.inputs.count == 1, let input = file.inputs.first, input >= 0 else {
            throw TFLiteError.malformed(path: path, what: "\(file.inputs.count) graph inputs (expected one image)")
        }
        let shape = file.tensors[input].shape
        guard shape.count == 4, shape[0] == 1, file.tensors[input].type == TFLiteFile.TensorType.float32 else {
            throw TFLiteError.malformed(path: path, what: "an input of shape \(shape) and type \(TFLiteFile.TensorType.name(file.tensors[input].type)) (expected FLOAT32 [1, height, width, channels])")
        }
        guard !file.outputs.isEmpty, file.outputs.allSatisfy({ $0 >= 0 }) else {
            throw TFLiteError.malformed(path: path, what: "a graph without outputs")
        }
        inputTensor = input
        inputShape = shape
        outputTensors = file.outputs
        outputShapes = file.outputs.map { file.tensors[$0].shape }
        tensorSizes = file.tensors.map(\.elementCount)
        var builder = GraphBuilder(file: file)
        steps = Self.fused(try file.operators.enumerated().compactMap { index, op in try builder.step(op, index: index) },
                           outputs: file.outputs)
        (slots, slotSizes) = Self.assignSlots(steps: steps, sizes: tensorSizes, input: input, outputs: file.outputs)
        let working = slotSizes.reduce(0, +)
        guard working <= Self.maximumWorkingFloats else {
            throw TFLiteError.malformed(path: path, what: "activations needing \(working) floats at once, more than the \(Self.maximumWorkingFloats) accepted")
        }
    }

    /// The most floats a session's working memory may hold (512 MiB).
    static let maximumWorkingFloats = 1 << 27

    /// Gives every activation tensor a slot, reusing the slot of a tensor no later step reads. The graph's input
    /// and outputs keep slots of their own.
    static func assignSlots(steps: [Step], sizes: [Int], input: Int, outputs: [Int]) -> ([Int: Int], [Int]) {
        var lastUse: [Int: Int] = [:]
        for (index, step) in steps.enumerated() { for tensor in step.inputs { lastUse[tensor] = index } }
        var slots: [Int: Int] = [input: 0]
        var slotSizes = [sizes[input]]
        var free: [Int] = []
        let kept = Set(outputs + [input])
        for (index, step) in steps.enumerated() {
            let output = step.output
            if slots[output] == nil {
                if !kept.contains(output), let reuse = free.firstIndex(where: { slotSizes[$0] >= sizes[output] }) {
                    slots[output] = free.remove(at: reuse)
                } else if !kept.contains(output), let grow = free.indices.max(by: { slotSizes[free[$0]] < slotSizes[free[$1]] }) {
                    let slot = free.remove(at: grow)
                    slotSizes[slot] = sizes[output]
                    slots[output] = slot
                } else {
                    slots[output] = slotSizes.count
                    slotSizes.append(sizes[output])
                }
            }
            // Free after choosing the output's slot: a step never writes over its own inputs.
            for tensor in Set(step.inputs) where lastUse[tensor] == index && !kept.contains(tensor) {
                if let slot = slots[tensor] { free.append(slot) }
            }
        }
        return (slots, slotSizes)
    }
}

extension TFLiteModel.Step {
    var inputs: [Int] {
        switch self {
        case let .convolution(input, _, _, _, _, _, nil), let .depthwise(input, _, _, _, _), let .maxPool(input, _, _, _, _),
             let .activation(input, _, _), let .copy(input, _), let .pad(input, _, _, _, _, _, _, _), let .resizeBilinear(input, _, _, _, _, _, _):
            return [input]
        case let .convolution(input, _, _, _, _, _, residual?): return [input, residual.tensor]
        case let .add(input, residual, _, _): return [input, residual]
        case let .concatenate(inputs, _, _, _): return inputs
        }
    }

    var output: Int {
        switch self {
        case let .convolution(_, output, _, _, _, _, _), let .depthwise(_, output, _, _, _), let .maxPool(_, output, _, _, _),
             let .add(_, _, output, _), let .activation(_, output, _), let .copy(_, output), let .pad(_, output, _, _, _, _, _, _),
             let .concatenate(_, output, _, _), let .resizeBilinear(_, output, _, _, _, _, _):
            return output
        }
    }
}

/// Working memory for running a model on one thread.
public final class TFLiteSession {
    public let model: TFLiteModel
    private let buffers: ActivationBuffers
    private let scratch = Scratch()

    public init(model: TFLiteModel) {
        self.model = model
        buffers = ActivationBuffers(sizes: model.slotSizes)
    }

    /// Runs the model on `input` (`inputShape`'s elements, channels last) and returns each output's values.
    public func run(_ input: [Float]) throws -> [[Float]] {
        let expected = model.inputShape.reduce(1, *)
        guard input.count == expected else {
            throw TFLiteError.input(expected: "\(expected) values (\(model.inputShape.map(String.init).joined(separator: "×")))", found: "\(input.count)")
        }
        guard input.allSatisfy(\.isFinite) else { throw TFLiteError.input(expected: "finite values", found: "NaN or infinity") }
        return run { target in input.withUnsafeBufferPointer { target.baseAddress!.update(from: $0.baseAddress!, count: expected) } }
    }

    /// `run` without an input array: `fill` writes the input (`inputShape`'s elements, finite, as made from an
    /// image's bytes) into the session's own buffer.
    public func run(filling fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> [[Float]] {
        fill(UnsafeMutableBufferPointer(start: buffer(model.inputTensor), count: model.tensorSizes[model.inputTensor]))
        for step in model.steps { execute(step) }
        return model.outputTensors.map { tensor in Array(UnsafeBufferPointer(start: buffer(tensor), count: model.tensorSizes[tensor])) }
    }

    private func buffer(_ tensor: Int) -> UnsafeMutablePointer<Float> { buffers[model.slots[tensor]!] }

    private func execute(_ step: TFLiteModel.Step) {
        let output = buffer(step.output)
        let count = model.tensorSizes[step.output]
        switch step {
        case let .convolution(input, _, geometry, inputChannels, matrix, activation, residual):
            let epilogue = residual.map { residual in
                residual.channels.map { activation.epilogue.adding(buffer(residual.tensor), channels: $0, of: matrix.columns, to: output) }
                    ?? activation.epilogue.adding(buffer(residual.tensor), to: output)
            } ?? activation.epilogue
            convolve(buffer(input), geometry: geometry, inputChannels: inputChannels, matrix: matrix, into: output, scratch: scratch,
                     epilogue: epilogue)
        case let .depthwise(input, _, kernel, bias, activation):
            bias.withUnsafeBufferPointer { kernel.apply(buffer(input), bias: $0.baseAddress!, into: output, epilogue: activation.epilogue) }
        case let .maxPool(input, _, geometry, channels, activation):
            pool2D(buffer(input), geometry: geometry, channels: channels, maximum: true, into: output)
            activation.apply(output, count: count)
        case let .add(a, b, _, activation):
            activation.epilogue.adding(buffer(b), to: output).apply(to: buffer(a), count: count, into: output)
        case let .activation(input, _, activation):
            activation.epilogue.apply(to: buffer(input), count: count, into: output)
        case let .copy(input, _):
            if buffer(input) != output { output.update(from: buffer(input), count: count) }
        case let .pad(input, _, height, width, channels, rows, columns, channelsAround):
            zeroPad(buffer(input), height: height, width: width, channels: channels, rows: rows, columns: columns,
                    channelsAround: channelsAround, into: output)
        case let .concatenate(inputs, _, outer, inners):
            let total = inners.reduce(0, +)
            var offset = 0
            for (input, inner) in zip(inputs, inners) {
                let source = buffer(input)
                for block in 0..<outer { (output + block * total + offset).update(from: source + block * inner, count: inner) }
                offset += inner
            }
        case let .resizeBilinear(input, _, from, to, channels, alignCorners, halfPixelCenters):
            resizeBilinear(buffer(input), from: from, to: to, channels: channels, alignCorners: alignCorners,
                           halfPixelCenters: halfPixelCenters, into: output)
        }
    }

    /// TensorFlow Lite's RESIZE_BILINEAR (its reference kernel's arithmetic).
    private func resizeBilinear(_ source: UnsafePointer<Float>, from: (Int, Int), to: (Int, Int), channels: Int, alignCorners: Bool,
                                halfPixelCenters: Bool, into target: UnsafeMutablePointer<Float>) {
        func scale(_ input: Int, _ output: Int) -> Float {
            alignCorners && output > 1 ? Float(input - 1) / Float(output - 1) : Float(input) / Float(output)
        }
        func bounds(_ position: Int, _ scale: Float, _ size: Int) -> (value: Float, lower: Int, upper: Int) {
            let value = halfPixelCenters ? (Float(position) + 0.5) * scale - 0.5 : Float(position) * scale
            return (value, max(Int(value.rounded(.down)), 0), min(Int(value.rounded(.up)), size - 1))
        }
        let yScale = scale(from.0, to.0), xScale = scale(from.1, to.1)
        for y in 0..<to.0 {
            let (inY, y0, y1) = bounds(y, yScale, from.0)
            let dy = inY - Float(y0)
            for x in 0..<to.1 {
                let (inX, x0, x1) = bounds(x, xScale, from.1)
                let dx = inX - Float(x0)
                let out = target + (y * to.1 + x) * channels
                let p00 = source + (y0 * from.1 + x0) * channels, p01 = source + (y0 * from.1 + x1) * channels
                let p10 = source + (y1 * from.1 + x0) * channels, p11 = source + (y1 * from.1 + x1) * channels
                for c in 0..<channels {
                    out[c] = p00[c] * (1 - dy) * (1 - dx) + p10[c] * dy * (1 - dx) + p01[c] * (1 - dy) * dx + p11[c] * dy * dx
                }
            }
        }
    }
}

extension TFLiteModel {
    /// The steps with what a kernel's epilogue can do folded into it: an ADD that takes a convolution's output
    /// becomes that convolution's residual (read from before the PAD of zero channels that made it, if one did),
    /// and a RELU or RELU6 after a step without an activation becomes that step's activation. Each fold removes a
    /// pass over a whole tensor, which for BlazeFace's 96×96×32 activations is a trip to memory. The arithmetic is
    /// unchanged: the epilogue adds the residual to the rounded sum and clamps, as the separate operations would. A tensor that is a graph output, or that another
    /// step also reads, is never folded away.
    static func fused(_ steps: [Step], outputs: [Int]) -> [Step] {
        var steps = steps
        let kept = Set(outputs)
        func readers(_ tensor: Int) -> [Int] { steps.indices.filter { steps[$0].inputs.contains(tensor) } }
        func producer(_ tensor: Int) -> Int? { steps.firstIndex { $0.output == tensor } }

        var index = 0
        while index < steps.count {
            defer { index += 1 }
            guard case let .convolution(input, output, geometry, channels, matrix, .none, nil) = steps[index], !kept.contains(output),
                  case let users = readers(output), users.count == 1, case let .add(a, b, sum, activation) = steps[users[0]], a != b else { continue }
            let residual = a == output ? b : a
            // The residual must exist when the convolution runs: a step that computes it after the convolution
            // moves ahead of it when its own inputs are ready by then (BlazeFace's channel PAD of the skip path).
            if let made = producer(residual), made > index {
                guard steps[made].inputs.allSatisfy({ tensor in producer(tensor).map { $0 < index } ?? true }) else { continue }
                steps.insert(steps.remove(at: made), at: index)
                index += 1
            }
            steps[index] = .convolution(input: input, output: sum, geometry: geometry, inputChannels: channels, matrix: matrix,
                                        activation: activation, residual: Residual(tensor: residual, channels: nil))
            // The ADD comes after the residual's step, so a move ahead of the convolution left its index as it was.
            steps.remove(at: users[0])
        }

        // A residual made by a PAD of zero channels after the others (BlazeFace's skip path into a block with more
        // channels) is read as it was before the PAD: the epilogue adds its channels and zero to the rest, as the ADD
        // of the padded tensor did, and the PAD's pass over a whole tensor goes.
        index = 0
        while index < steps.count {
            defer { index += 1 }
            guard case let .convolution(input, output, geometry, channels, matrix, activation, residual?) = steps[index],
                  residual.channels == nil, input != residual.tensor, !kept.contains(residual.tensor), readers(residual.tensor) == [index],
                  let made = producer(residual.tensor),
                  case let .pad(padded, _, _, _, padChannels, (0, 0), (0, 0), (0, after)) = steps[made], after > 0,
                  padChannels + after == matrix.columns else { continue }
            steps[index] = .convolution(input: input, output: output, geometry: geometry, inputChannels: channels, matrix: matrix,
                                        activation: activation, residual: Residual(tensor: padded, channels: padChannels))
            steps.remove(at: made)
            if made < index { index -= 1 }
        }

        index = 0
        while index < steps.count {
            defer { index += 1 }
            guard case let .activation(input, output, activation) = steps[index], !kept.contains(input), readers(input) == [index],
                  let made = producer(input), let folded = steps[made].withActivation(activation, output: output) else { continue }
            steps[made] = folded
            steps.remove(at: index)
            index -= 1
        }
        return steps
    }
}

extension TFLiteModel.Step {
    /// This step writing `output` with `activation` applied, when it has no activation of its own.
    func withActivation(_ activation: TFLiteModel.Activation, output: Int) -> Self? {
        switch self {
        case let .convolution(input, _, geometry, channels, matrix, .none, residual):
            return .convolution(input: input, output: output, geometry: geometry, inputChannels: channels, matrix: matrix,
                                activation: activation, residual: residual)
        case let .depthwise(input, _, kernel, bias, .none):
            return .depthwise(input: input, output: output, kernel: kernel, bias: bias, activation: activation)
        case let .maxPool(input, _, geometry, channels, .none):
            return .maxPool(input: input, output: output, geometry: geometry, channels: channels, activation: activation)
        case let .add(a, b, _, .none):
            return .add(a, b, output: output, activation: activation)
        default:
            return nil
        }
    }
}

/// `Add` and `Multiply`: element-wise over inputs of one shape.
struct ElementwiseMerge: Layer {
    enum Kind: Sendable { case add, multiply }

    let name: String
    let kerasClass: String
    let outputShape: [Int]
    let parameterCount = 0
    let kind: Kind

    init(_ spec: LayerSpec, kind: Kind) throws {
        name = spec.name
        kerasClass = kind == .add ? "Add" : "Multiply"
        self.kind = kind
        guard spec.inputShapes.count >= 2, let first = spec.inputShapes.first,
              spec.inputShapes.allSatisfy({ $0 == first }) else {
            throw ModelError.shapeMismatch(path: spec.path, layer: spec.name, expected: "two or more inputs of one shape",
                                           found: spec.inputShapes.map(kerasShape).joined(separator: ", "))
        }
        outputShape = first
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let count = outputCount
        output.update(from: inputs[0], count: count)
        for operand in inputs.dropFirst() {
            switch kind {
            case .add: for index in 0..<count { output[index] += operand[index] }
            case .multiply: for index in 0..<count { output[index] *= operand[index] }
            }
        }
    }
}

/// `Concatenate` along `axis` (default the last; Keras counts the batch axis as 0).
struct Concatenate: Layer {
    let name: String
    let kerasClass = "Concatenate"
    let outputShape: [Int]
    let parameterCount = 0
    /// Axis within the per-sample shape.
    let axis: Int
    /// Values each input contributes per block: the product of its axes from `axis` on.
    let runs: [Int]

    init(_ spec: LayerSpec) throws {
        name = spec.name
        guard let first = spec.inputShapes.first, spec.inputShapes.count >= 2 else {
            throw ModelError.shapeMismatch(path: spec.path, layer: spec.name, expected: "two or more inputs", found: "\(spec.inputShapes.count)")
        }
        let kerasAxis = try spec.int("axis", default: -1)
        let rank = first.count
        let axis = kerasAxis < 0 ? rank + kerasAxis : kerasAxis - 1
        guard axis >= 0 && axis < rank else { throw spec.invalid("axis") }
        func withoutAxis(_ shape: [Int]) -> [Int] { var copy = shape; copy[axis] = 0; return copy }
        var shape = withoutAxis(first)
        for input in spec.inputShapes {
            guard input.count == rank, withoutAxis(input) == withoutAxis(first) else {
                throw ModelError.shapeMismatch(path: spec.path, layer: spec.name, expected: "inputs equal except along axis \(kerasAxis)",
                                               found: spec.inputShapes.map(kerasShape).joined(separator: ", "))
            }
            shape[axis] += input[axis]
        }
        self.axis = axis
        runs = spec.inputShapes.map { $0[axis...].reduce(1, *) }
        outputShape = shape
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        // Blocks: the product of the axes before `axis`; each input contributes a contiguous run per block.
        let blocks = outputShape[..<axis].reduce(1, *)
        var cursor = output
        for block in 0..<blocks {
            for (input, run) in zip(inputs, runs) {
                cursor.update(from: input + block * run, count: run)
                cursor += run
            }
        }
    }
}

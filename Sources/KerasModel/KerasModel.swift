import Foundation

/// A Keras classifier read from an HDF5 file (`model.save("….h5")`), run in Swift.
///
/// Weights are immutable after loading, so one instance can serve several threads at once.
public final class KerasModel: Sendable {
    public struct LayerSummary: Sendable, Equatable {
        public let name: String
        public let type: String
        public let outputShape: [Int]
        public let parameters: Int
    }

    public struct Options: Sendable {
        /// Fold each BatchNormalization into the convolution before it, and an Activation into the layer
        /// before it (when that layer has no activation of its own and feeds nothing else).
        public var foldBatchNormalization: Bool
        /// The most bytes the weights may take, and separately the activations of one inference.
        public var memoryLimit: Int

        public init(foldBatchNormalization: Bool = true, memoryLimit: Int = ModelLimits.defaultBytes) {
            self.foldBatchNormalization = foldBatchNormalization
            self.memoryLimit = memoryLimit
        }
    }

    public let path: String
    public let kerasVersion: String
    /// Per-sample input shape, e.g. `[64, 64, 1]`.
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// The layers as the file declares them (before any folding).
    public let layers: [LayerSummary]
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameters } }
    public var outputCount: Int { outputShape.reduce(1, *) }

    fileprivate let plan: [Step]
    /// Element count of each activation buffer; slot 0 holds the input.
    fileprivate let slotSizes: [Int]
    fileprivate let outputSlot: Int

    /// One layer call: read `inputs` slots, write `output`.
    fileprivate struct Step: Sendable {
        let layer: Layer
        let inputs: [Int]
        let output: Int
    }

    public convenience init(path: String) throws {
        try self.init(path: path, options: Options())
    }

    public init(path: String, options: Options) throws {
        let errorPrinting = HDF5ErrorPrinting.silence()
        defer { errorPrinting.restore() }
        self.path = path
        let file = try HDF5File(path: path)
        let root = file.root
        guard let configText = try root.stringAttribute("model_config") else {
            let found = file.exists("/layers") || file.exists("/model_weights") || root.hasAttribute("layer_names")
                ? "a weights-only file (saved with save_weights: no model_config attribute)"
                : "an HDF5 file without a model_config attribute"
            throw ModelError.notAKerasModel(path: path, found: found)
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(configText)
        } catch {
            throw ModelError.malformed(path: path, expected: "JSON in the model_config attribute", found: "text that does not parse")
        }
        kerasVersion = try root.stringAttribute("keras_version") ?? "unknown"
        let major = Int(kerasVersion.split(separator: ".").first ?? "") ?? 2
        let graph = try ModelConfig(json: json, path: path)
        let weights = try WeightStore(file: file, limit: options.memoryLimit)
        var activations = ByteBudget(limit: options.memoryLimit, what: "activations")
        try activations.take(floats: ModelLimits.elementCount(graph.inputShape) ?? Int.max, path: path, for: "the input")

        // Build each layer once its inputs' shapes are known (file order is topological in Keras; check it).
        var shapes: [String: [Int]] = [:]
        var built: [(node: ModelConfig.Node, layer: Layer)] = []
        for node in graph.nodes {
            let inputShapes: [[Int]]
            if node.name == graph.inputName {
                inputShapes = [graph.inputShape]
            } else {
                inputShapes = try node.inputs.map { input in
                    guard let shape = shapes[input] else {
                        throw ModelError.malformed(path: path, expected: "layer '\(input)' (an input of '\(node.name)') before it",
                                                   found: "it later or not at all")
                    }
                    return shape
                }
            }
            guard let make = layerTable[node.kerasClass] else {
                throw ModelError.unsupportedLayer(path: path, type: node.kerasClass, name: node.name, supported: supportedLayerNames)
            }
            let spec = LayerSpec(path: path, name: node.name, kerasClass: node.kerasClass, config: node.config,
                                 weights: try weights.weights(of: node.name), inputShapes: inputShapes, kerasMajorVersion: major)
            let layer = try make(spec)
            guard let outputCount = ModelLimits.elementCount(layer.outputShape) else {
                throw ModelError.shapeMismatch(path: path, layer: node.name, expected: "an output of at least one value",
                                               found: kerasShape(layer.outputShape))
            }
            try activations.take(floats: outputCount, path: path, for: "layer '\(node.name)'")
            shapes[node.name] = layer.outputShape
            built.append((node, layer))
        }
        guard let output = shapes[graph.outputName] else {
            throw ModelError.malformed(path: path, expected: "the output layer '\(graph.outputName)'", found: "no such layer")
        }
        inputShape = graph.inputShape
        outputShape = output
        layers = built.map { LayerSummary(name: $0.layer.name, type: $0.node.kerasClass, outputShape: $0.layer.outputShape,
                                          parameters: $0.layer.parameterCount) }

        let compiled = Self.compile(built, inputName: graph.inputName, outputName: graph.outputName,
                                    fold: options.foldBatchNormalization)
        plan = compiled.plan
        slotSizes = [graph.inputShape.reduce(1, *)] + compiled.plan.map(\.layer.outputCount)
        outputSlot = compiled.output
    }

    /// Class scores (the last layer's output, probabilities for a softmax model) for one input laid out
    /// as `inputShape`, row-major, channels last.
    ///
    /// This allocates its working memory on each call; keep an `InferenceSession` per thread to reuse it.
    public func predict(_ input: [Float]) throws -> [Float] {
        try InferenceSession(model: self).predict(input)
    }

    /// `predict` for each input of a batch.
    public func predict(batch inputs: [[Float]]) throws -> [[Float]] {
        try inputs.map(predict)
    }

    // MARK: - Execution plan

    /// Assigns each layer output a slot, drops identities, and folds BatchNormalization where exact.
    private static func compile(_ built: [(node: ModelConfig.Node, layer: Layer)], inputName: String, outputName: String,
                                fold: Bool) -> (plan: [Step], output: Int) {
        var consumers: [String: Int] = [:]
        for entry in built { for input in entry.node.inputs { consumers[input, default: 0] += 1 } }

        var slotOf: [String: Int] = [inputName: 0]
        var slots = 1
        var plan: [Step] = []
        var stepOfProducer: [String: Int] = [:]
        for (node, layer) in built where node.name != inputName {
            let inputSlots = node.inputs.map { slotOf[$0]! }
            if layer is Identity {
                slotOf[node.name] = inputSlots[0]
                continue
            }
            if fold, let batchNorm = layer as? BatchNormalization, node.inputs.count == 1,
               let producerStep = stepOfProducer[node.inputs[0]], consumers[node.inputs[0]] == 1,
               node.inputs[0] != outputName,
               let foldable = plan[producerStep].layer as? any BatchNormFoldable,
               foldable.foldableActivation == .linear, foldable.foldedChannels == batchNorm.scale.count {
                let producer = plan[producerStep]
                plan[producerStep] = Step(layer: foldable.folded(scale: batchNorm.scale, shift: batchNorm.shift),
                                          inputs: producer.inputs, output: producer.output)
                slotOf[node.name] = producer.output
                stepOfProducer[node.name] = producerStep
                continue
            }
            if fold, let activation = layer as? Activation, node.inputs.count == 1,
               let producerStep = stepOfProducer[node.inputs[0]], consumers[node.inputs[0]] == 1,
               node.inputs[0] != outputName,
               var fusable = plan[producerStep].layer as? any ActivationFusable, fusable.activation == .linear {
                fusable.activation = activation.function
                let producer = plan[producerStep]
                plan[producerStep] = Step(layer: fusable, inputs: producer.inputs, output: producer.output)
                slotOf[node.name] = producer.output
                stepOfProducer[node.name] = producerStep
                continue
            }
            slotOf[node.name] = slots
            stepOfProducer[node.name] = plan.count
            plan.append(Step(layer: layer, inputs: inputSlots, output: slots))
            slots += 1
        }
        return (plan, slotOf[outputName]!)
    }
}

/// The working memory for running one model on one thread: an activation buffer per layer output and a
/// scratch area, allocated once and reused for every input. Not for sharing between threads.
public final class InferenceSession {
    public let model: KerasModel
    private let buffers: ActivationBuffers
    private let scratch = Scratch()

    public init(model: KerasModel) {
        self.model = model
        buffers = ActivationBuffers(sizes: model.slotSizes)
    }

    public var inputCount: Int { model.slotSizes[0] }
    public var outputCount: Int { model.slotSizes[model.outputSlot] }

    /// Class scores for one input laid out as the model's input shape, row-major, channels last.
    public func predict(_ input: [Float]) throws -> [Float] {
        guard input.count == inputCount else {
            throw ModelError.input(expected: "\(inputCount) values for shape \(kerasShape(model.inputShape))", found: "\(input.count)")
        }
        return input.withUnsafeBufferPointer { predict($0) }
    }

    /// `predict` without allocating an input array: `fill` writes the input into the session's buffer.
    public func predict(filling fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
        fill(UnsafeMutableBufferPointer(start: buffers[0], count: inputCount))
        return run()
    }

    private func predict(_ input: UnsafeBufferPointer<Float>) -> [Float] {
        buffers[0].update(from: input.baseAddress!, count: inputCount)
        return run()
    }

    /// Seconds spent in each executed layer (after folding) over `repeats` runs on `input`, for benchmarks.
    public func layerTimes(_ input: [Float], repeats: Int) throws -> [(layer: String, seconds: Double)] {
        _ = try predict(input)
        var totals = [UInt64](repeating: 0, count: model.plan.count)
        for _ in 0..<repeats {
            for (index, step) in model.plan.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                step.layer.forward(step.inputs.map { UnsafePointer(buffers[$0]) }, into: buffers[step.output], scratch: scratch)
                totals[index] += DispatchTime.now().uptimeNanoseconds - start
            }
        }
        return zip(model.plan, totals).map { ("\($0.layer.name) (\($0.layer.kerasClass))", Double($1) / 1e9 / Double(repeats)) }
    }

    private func run() -> [Float] {
        for step in model.plan {
            step.layer.forward(step.inputs.map { UnsafePointer(buffers[$0]) }, into: buffers[step.output], scratch: scratch)
        }
        return Array(UnsafeBufferPointer(start: buffers[model.outputSlot], count: outputCount))
    }
}

/// A layer's weights, found through its group's `weight_names` attribute (never by guessing paths).
final class WeightStore {
    let file: HDF5File
    let base: String
    let layerNames: Set<String>
    private var budget: ByteBudget

    init(file: HDF5File, limit: Int) throws {
        self.file = file
        budget = ByteBudget(limit: limit, what: "weights")
        // A full-model save keeps weights under /model_weights; very old files kept them at the root.
        base = file.exists("/model_weights") ? "/model_weights" : "/"
        let group = base == "/" ? file.root : try file.group(base)
        layerNames = Set(try group.stringArrayAttribute("layer_names"))
    }

    /// Weights keyed by their short name: `conv2d_1/conv2d_1_1/kernel:0` → `kernel`.
    func weights(of layer: String) throws -> [String: LayerSpec.Weight] {
        guard layerNames.contains(layer) else { return [:] }
        let groupPath = (base == "/" ? "" : base) + "/" + layer
        let group = try file.group(groupPath)
        var weights: [String: LayerSpec.Weight] = [:]
        for weightName in try group.stringArrayAttribute("weight_names") {
            let (shape, values) = try file.floatDataset(groupPath + "/" + weightName, budget: &budget)
            var key = String(weightName.split(separator: "/").last ?? Substring(weightName))
            if let colon = key.firstIndex(of: ":") { key = String(key[..<colon]) }
            weights[key] = LayerSpec.Weight(shape: shape, values: values)
        }
        return weights
    }
}

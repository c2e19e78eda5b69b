/// The layer graph described by `model_config`: layers in file order, each with the names of its inputs.
struct ModelConfig {
    struct Node {
        let name: String
        let kerasClass: String
        let config: JSONValue
        let inputs: [String]
    }

    let nodes: [Node]
    let inputName: String
    let outputName: String
    let inputShape: [Int]

    /// Parses Sequential and Functional models as Keras 2 and Keras 3 write them.
    init(json: JSONValue, path: String) throws {
        let kind = json["class_name"]?.string ?? "unknown"
        switch kind {
        case "Sequential": try self.init(sequential: json["config"], path: path)
        case "Model", "Functional": try self.init(functional: json["config"], path: path)
        default:
            throw ModelError.malformed(path: path, expected: "a Sequential or Functional model in model_config", found: "'\(kind)'")
        }
    }

    private init(sequential config: JSONValue?, path: String) throws {
        // Keras 2.0–2.1 stored the layer list directly; later versions under "layers".
        guard let layers = config?.array ?? config?["layers"]?.array, !layers.isEmpty else {
            throw ModelError.malformed(path: path, expected: "a list of layers in the Sequential config", found: "none")
        }
        var nodes: [Node] = []
        var previous: String?
        var inputShape: [Int]?
        for (index, layer) in layers.enumerated() {
            let node = try Self.node(layer, inputs: [], path: path, position: index)
            if inputShape == nil {
                inputShape = Self.declaredInputShape(node.config)
                    ?? config?["build_input_shape"].flatMap(Self.shapeWithoutBatch)
            }
            if node.kerasClass == "InputLayer" {
                previous = node.name
                nodes.append(node)
                continue
            }
            if previous == nil {
                // Without an InputLayer the first layer reads the model input, which we name after it.
                let inputName = node.name + "_input"
                nodes.append(Node(name: inputName, kerasClass: "InputLayer", config: .object([:]), inputs: []))
                previous = inputName
            }
            nodes.append(Node(name: node.name, kerasClass: node.kerasClass, config: node.config, inputs: [previous!]))
            previous = node.name
        }
        guard let inputShape else {
            throw ModelError.malformed(path: path, expected: "an input shape (batch_input_shape or an InputLayer)", found: "none")
        }
        self.nodes = nodes
        self.inputName = nodes[0].name
        self.outputName = nodes[nodes.count - 1].name
        self.inputShape = inputShape
    }

    private init(functional config: JSONValue?, path: String) throws {
        guard let layers = config?["layers"]?.array, !layers.isEmpty else {
            throw ModelError.malformed(path: path, expected: "a list of layers in the Functional config", found: "none")
        }
        var nodes: [Node] = []
        for (index, layer) in layers.enumerated() {
            let inbound = layer["inbound_nodes"]?.array ?? []
            guard inbound.count <= 1 else {
                throw ModelError.unsupportedConfiguration(path: path, layer: layer["name"]?.string ?? "#\(index)",
                                                          setting: "shared layer calls", value: "\(inbound.count)")
            }
            let inputs = inbound.first.map(Self.inputNames(of:)) ?? []
            nodes.append(try Self.node(layer, inputs: inputs, path: path, position: index))
        }
        let inputs = Self.endpointNames(config?["input_layers"])
        let outputs = Self.endpointNames(config?["output_layers"])
        guard inputs.count == 1, outputs.count == 1 else {
            throw ModelError.unsupportedConfiguration(path: path, layer: "model", setting: "inputs and outputs",
                                                      value: "\(inputs.count) inputs, \(outputs.count) outputs (facemood needs one of each)")
        }
        guard let input = nodes.first(where: { $0.name == inputs[0] }),
              let shape = Self.declaredInputShape(input.config) else {
            throw ModelError.malformed(path: path, expected: "an InputLayer '\(inputs[0])' with a shape", found: "none")
        }
        self.nodes = nodes
        self.inputName = inputs[0]
        self.outputName = outputs[0]
        self.inputShape = shape
    }

    private static func node(_ layer: JSONValue, inputs: [String], path: String, position: Int) throws -> Node {
        guard let kerasClass = layer["class_name"]?.string else {
            throw ModelError.malformed(path: path, expected: "a class_name for layer #\(position)", found: "none")
        }
        let config = layer["config"] ?? .object([:])
        guard let name = layer["name"]?.string ?? config["name"]?.string else {
            throw ModelError.malformed(path: path, expected: "a name for layer #\(position) (\(kerasClass))", found: "none")
        }
        return Node(name: name, kerasClass: kerasClass, config: config, inputs: inputs)
    }

    /// Keras 2: `[["conv2d_1", 0, 0, {}], …]`; Keras 3: `{"args": [tensor or [tensors]], "kwargs": {}}`
    /// where each tensor carries `keras_history: [name, node, index]`.
    private static func inputNames(of inbound: JSONValue) -> [String] {
        if let calls = inbound.array {
            return calls.compactMap { $0[0]?.string }
        }
        var names: [String] = []
        func collect(_ value: JSONValue) {
            if let history = value["config"]?["keras_history"], let name = history[0]?.string {
                names.append(name)
            } else if let values = value.array {
                values.forEach(collect)
            }
        }
        inbound["args"].map(collect)
        return names
    }

    /// `[["input_1", 0, 0]]` (Keras 2, and Keras 3 with several) or `["input_1", 0, 0]` (Keras 3 with one).
    private static func endpointNames(_ value: JSONValue?) -> [String] {
        guard let entries = value?.array else { return [] }
        if let single = entries.first?.string { return [single] }
        return entries.compactMap { $0[0]?.string }
    }

    /// `batch_input_shape` (Keras 2) or `batch_shape` (Keras 3), without the batch axis.
    static func declaredInputShape(_ config: JSONValue) -> [Int]? {
        (config["batch_input_shape"] ?? config["batch_shape"]).flatMap(shapeWithoutBatch)
    }

    /// The per-sample shape; nil unless every dimension is a whole number from 1 to `ModelLimits.inputDimension`.
    static func shapeWithoutBatch(_ value: JSONValue) -> [Int]? {
        guard let axes = value.array, axes.count >= 2 else { return nil }
        let dims = axes.dropFirst().map(\.int)
        guard dims.allSatisfy({ $0.map { (1...ModelLimits.inputDimension).contains($0) } ?? false }) else { return nil }
        return dims.map { $0! }
    }
}

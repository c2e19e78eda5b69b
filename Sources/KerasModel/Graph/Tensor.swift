/// One sample's activations, channels last, without the batch dimension: `[height, width, channels]`,
/// `[features]`, or whatever rank a layer produces.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) needs \(shape.reduce(1, *)) values, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// The last axis: channels for images, features for vectors.
    var channels: Int { shape.last ?? 1 }
}

/// Formats a per-sample shape the way Keras prints it, with the batch axis: `(None, 64, 64, 1)`.
public func kerasShape(_ shape: [Int]) -> String {
    "(None, " + shape.map(String.init).joined(separator: ", ") + (shape.count == 0 ? ")" : ")")
}

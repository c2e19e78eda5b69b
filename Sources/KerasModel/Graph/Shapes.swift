/// Formats a per-sample shape the way Keras prints it, with the batch axis: `(None, 64, 64, 1)`.
public func kerasShape(_ shape: [Int]) -> String {
    "(None, " + shape.map(String.init).joined(separator: ", ") + (shape.count == 0 ? ")" : ")")
}

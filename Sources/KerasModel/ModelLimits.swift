/// Sizes a model file may ask for, checked before anything is allocated for them, so that a crafted
/// file (a few kB declaring petabytes) is refused with an error instead of exhausting memory.
public enum ModelLimits {
    /// The default budget for a model's weights, and separately for one inference's activations: 1 GiB.
    public static let defaultBytes = 1 << 30
    /// Any one dimension of the input (height, width, channels).
    public static let inputDimension = 1 << 14
    /// Whole numbers in the model config (filters, kernel sizes, strides, units, dimensions).
    public static let configInteger = 1 << 20
    /// Dimensions of one weight dataset.
    public static let datasetRank = 8

    /// The product of `dimensions`, or nil when any is below 1 or the product overflows.
    static func elementCount(_ dimensions: [Int]) -> Int? {
        var count = 1
        for dimension in dimensions {
            guard dimension >= 1 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }
}

/// Bytes taken so far against a limit.
struct ByteBudget {
    let limit: Int
    let what: String
    private(set) var used = 0

    init(limit: Int, what: String) {
        self.limit = limit
        self.what = what
    }

    /// Adds `count` 32-bit floats; throws, naming the model and the limit, when they do not fit.
    mutating func take(floats count: Int, path: String, for item: String) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        let (total, overflowTotal) = used.addingReportingOverflow(bytes)
        guard !overflow, !overflowTotal, total <= limit else {
            throw ModelError.malformed(path: path, expected: "\(what) of at most \(limit) bytes",
                                       found: "\(item) taking \(overflow ? "more than \(Int.max)" : "\(bytes)") bytes with \(used) already used")
        }
        used = total
    }
}

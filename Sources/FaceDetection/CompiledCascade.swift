/// The cascade turned into integral-image offsets for one row stride, evaluated window by window with
/// OpenCV's arithmetic (`HaarEvaluator::setWindow`, `OptFeature::calc`, `predictOrdered[Stump]`).
struct CompiledCascade: Sendable {
    /// Four corner offsets of each of a feature's three rectangles (unused rectangles have weight 0).
    struct Feature: Sendable {
        var offsets: (Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32)
        var weights: (Float, Float, Float)
    }

    struct Stump: Sendable {
        let feature: Feature
        let threshold: Float
        let left: Float
        let right: Float
    }

    let stages: [HaarCascade.Stage]
    let stumps: [Stump]
    /// Each stage's stumps in `stumps`, in the order their leaves are added (see `StageStumps`).
    let stageStumps: [StageStumps]
    let features: [Feature]
    let trees: [HaarCascade.Tree]
    let nodes: [HaarCascade.Node]
    let leaves: [Float]
    let isStumpBased: Bool
    /// The variance window: the detection window less a one-pixel border.
    let normOffsets: (Int, Int, Int, Int)
    let normArea: Double

    /// `regroupingStumps`: false keeps every stage's stumps in the cascade's order (for tests; see `StageStumps`).
    init(cascade: HaarCascade, stride: Int, regroupingStumps: Bool = true) {
        func corners(_ x: Int, _ y: Int, _ width: Int, _ height: Int) -> (Int, Int, Int, Int) {
            (y * stride + x, y * stride + x + width, (y + height) * stride + x, (y + height) * stride + x + width)
        }
        features = cascade.features.map { feature in
            var offsets = [Int32](repeating: 0, count: 12)
            var weights: [Float] = [0, 0, 0]
            for (index, rect) in feature.rects.enumerated() {
                let c = corners(rect.x, rect.y, rect.width, rect.height)
                offsets[4 * index] = Int32(c.0)
                offsets[4 * index + 1] = Int32(c.1)
                offsets[4 * index + 2] = Int32(c.2)
                offsets[4 * index + 3] = Int32(c.3)
                weights[index] = rect.weight
            }
            return Feature(offsets: (offsets[0], offsets[1], offsets[2], offsets[3], offsets[4], offsets[5],
                                     offsets[6], offsets[7], offsets[8], offsets[9], offsets[10], offsets[11]),
                           weights: (weights[0], weights[1], weights[2]))
        }
        stages = cascade.stages
        trees = cascade.trees
        nodes = cascade.nodes
        leaves = cascade.leaves
        isStumpBased = cascade.isStumpBased
        let features = self.features
        func stump(_ tree: HaarCascade.Tree) -> Stump {
            let node = cascade.nodes[tree.firstNode]
            return Stump(feature: features[node.feature], threshold: node.threshold,
                         left: cascade.leaves[tree.firstLeaf], right: cascade.leaves[tree.firstLeaf + 1])
        }
        var stumps: [Stump] = [], stageStumps: [StageStumps] = []
        if isStumpBased {
            let regroup = regroupingStumps && Self.leafSumsAreExact(cascade)
            for stage in cascade.stages {
                let stageTrees = cascade.trees[stage.firstTree..<(stage.firstTree + stage.treeCount)].map(stump)
                let start = stumps.count
                if regroup {
                    let three = stageTrees.filter { $0.feature.weights.2 != 0 }
                    stumps += stageTrees.filter { $0.feature.weights.2 == 0 }
                    let middle = stumps.count
                    stumps += three
                    stageStumps.append(StageStumps(twoRectangles: start..<middle, threeRectangles: middle..<stumps.count, mixed: stumps.count..<stumps.count,
                                                   floatVerdict: FloatVerdict(threshold: stage.threshold, stumps: stumps[start...])))
                } else {
                    stumps += stageTrees
                    stageStumps.append(StageStumps(twoRectangles: start..<start, threeRectangles: start..<start, mixed: start..<stumps.count,
                                                   floatVerdict: nil))
                }
            }
        }
        self.stumps = stumps
        self.stageStumps = stageStumps
        normOffsets = corners(1, 1, cascade.windowWidth - 2, cascade.windowHeight - 2)
        normArea = Double((cascade.windowWidth - 2) * (cascade.windowHeight - 2))
    }

    /// 1 when every stage accepts the window, otherwise minus the index of the rejecting stage (0 for
    /// the first), or -1 when the window's variance rules it out.
    @inline(__always)
    func evaluate(sum: UnsafePointer<Int32>, squares: UnsafePointer<Int32>) -> Int {
        let n = normOffsets
        let windowSum = sum[n.0] &- sum[n.1] &- sum[n.2] &+ sum[n.3]
        let windowSquares = UInt32(bitPattern: squares[n.0] &- squares[n.1] &- squares[n.2] &+ squares[n.3])
        let spread = normArea * Double(windowSquares) - Double(windowSum) * Double(windowSum)
        guard spread > 0 else { return -1 }
        let inverse = Float(1 / spread.squareRoot())
        // OpenCV also rejects nearly flat windows (standard deviation of 10 grey levels or less).
        guard normArea * Double(inverse) < 0.1 else { return -1 }
        return isStumpBased
            ? stumps.withUnsafeBufferPointer { evaluateStumps($0, sum, inverse, fromStage: 0) }
            : evaluateTrees(sum, inverse)
    }

    /// A feature's value, as OpenCV computes it; `third`: whether its third rectangle has a weight.
    @inline(__always)
    private func value(_ feature: Feature, _ sum: UnsafePointer<Int32>, _ inverse: Float, third: Bool) -> Float {
        let o = feature.offsets, w = feature.weights
        let s0 = sum[Int(o.0)] &- sum[Int(o.1)] &- sum[Int(o.2)] &+ sum[Int(o.3)]
        let s1 = sum[Int(o.4)] &- sum[Int(o.5)] &- sum[Int(o.6)] &+ sum[Int(o.7)]
        var result = w.0 * Float(s0) + w.1 * Float(s1)
        if third {
            let s2 = sum[Int(o.8)] &- sum[Int(o.9)] &- sum[Int(o.10)] &+ sum[Int(o.11)]
            result += w.2 * Float(s2)
        }
        return result * inverse
    }

    /// The stages from `fromStage` on, for a window whose earlier stages accepted it.
    @inline(__always)
    func evaluateStumps(_ stumps: UnsafeBufferPointer<Stump>, _ sum: UnsafePointer<Int32>, _ inverse: Float, fromStage: Int) -> Int {
        for index in fromStage..<stages.count {
            let ranges = stageStumps[index]
            var totals = (0.0, 0.0)
            addLeaves(ranges.twoRectangles, stumps, sum, inverse, third: false, to: &totals)
            addLeaves(ranges.threeRectangles, stumps, sum, inverse, third: true, to: &totals)
            var total = totals.0 + totals.1
            for s in ranges.mixed { total += leaf(stumps[s], sum, inverse, third: stumps[s].feature.weights.2 != 0) }
            if total < Double(stages[index].threshold) { return -index }
        }
        return 1
    }

    /// Adds the leaves of the stumps in `range`, whose sums are exact in any order (`leafSumsAreExact`), to two
    /// running totals in turn, so that each addition need not wait for the one before.
    @inline(__always)
    private func addLeaves(_ range: Range<Int>, _ stumps: UnsafeBufferPointer<Stump>, _ sum: UnsafePointer<Int32>, _ inverse: Float,
                           third: Bool, to totals: inout (Double, Double)) {
        var s = range.lowerBound
        while s + 1 < range.upperBound {
            totals.0 += leaf(stumps[s], sum, inverse, third: third)
            totals.1 += leaf(stumps[s + 1], sum, inverse, third: third)
            s += 2
        }
        if s < range.upperBound { totals.0 += leaf(stumps[s], sum, inverse, third: third) }
    }

    @inline(__always)
    private func leaf(_ stump: Stump, _ sum: UnsafePointer<Int32>, _ inverse: Float, third: Bool) -> Double {
        Double(value(stump.feature, sum, inverse, third: third) < stump.threshold ? stump.left : stump.right)
    }

    /// Whether every stage's leaf values add up exactly in Double whatever their order: all are multiples of
    /// the smallest leaf's last binary digit, and no sum of them needs more than Double's 53 bits of those
    /// units. OpenCV adds a stage's leaves in order; when the sums are exact, any order gives the same total.
    static func leafSumsAreExact(_ cascade: HaarCascade) -> Bool {
        cascade.stages.allSatisfy { stage in
            let leaves = cascade.trees[stage.firstTree..<(stage.firstTree + stage.treeCount)].map {
                (cascade.leaves[$0.firstLeaf], cascade.leaves[$0.firstLeaf + 1])
            }
            let values = leaves.flatMap { [$0.0, $0.1] }.filter { $0 != 0 }
            guard values.allSatisfy(\.isFinite) else { return false }
            guard let unit = values.map(\.ulp).min() else { return true }
            let largest = leaves.reduce(0.0) { $0 + Double(max(abs($1.0), abs($1.1))) }
            return largest / Double(unit) < 0x1p52
        }
    }

    private func evaluateTrees(_ sum: UnsafePointer<Int32>, _ inverse: Float) -> Int {
        for (index, stage) in stages.enumerated() {
            var total = 0.0
            for t in stage.firstTree..<(stage.firstTree + stage.treeCount) {
                let tree = trees[t]
                var node = 0
                repeat {
                    let current = nodes[tree.firstNode + node]
                    let feature = features[current.feature]
                    node = value(feature, sum, inverse, third: feature.weights.2 != 0) < current.threshold ? current.left : current.right
                } while node > 0
                total += Double(leaves[tree.firstLeaf - node])
            }
            if total < Double(stage.threshold) { return -index }
        }
        return 1
    }
}

/// A stage's stumps, grouped so that the loops over them need not test each feature for a third rectangle:
/// those with two rectangles, then those with three, when the leaf sums are exact in any order
/// (`CompiledCascade.leafSumsAreExact`); otherwise all of them in the cascade's order, as `mixed`.
struct StageStumps: Sendable {
    let twoRectangles: Range<Int>
    let threeRectangles: Range<Int>
    let mixed: Range<Int>
    /// For regrouped stages, the Float sums that decide the stage for certain.
    let floatVerdict: FloatVerdict?
}

/// When a stage's leaves, added in Float in any order, decide it as their exact (Double) sum does. Adding n values
/// in Float moves the sum by at most (n − 1) · 2⁻²⁴ · Σ|value| (to first order); twice that, beyond the threshold
/// and rounded outwards, is a margin no rounding can cross.
struct FloatVerdict: Sendable {
    /// A Float sum at or above this passes for certain.
    let surePass: Float
    /// A Float sum below this fails for certain; between the two, the Double sum decides.
    let sureFail: Float

    init(threshold: Float, stumps: ArraySlice<CompiledCascade.Stump>) {
        let largest = stumps.reduce(0.0) { $0 + Double(max(abs($1.left), abs($1.right))) }
        let margin = 2 * Double(max(stumps.count - 1, 1)) * 0x1p-24 * largest
        surePass = Float(Double(threshold) + margin).nextUp
        sureFail = Float(Double(threshold) - margin).nextDown
    }
}

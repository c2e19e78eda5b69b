/// The scan of one row of windows, eight grid positions at a time.
///
/// OpenCV evaluates one window after another and skips the next position after a first-stage rejection.
/// Here the variance test and the first stage run for eight neighbouring positions at once (one SIMD lane
/// each, the same arithmetic as the one-window path, lane by lane); the positions OpenCV would visit follow
/// from those results alone, and only they go on to the later stages — as a batch while enough of them are
/// still accepted, then one by one. The accepted windows are exactly the one-window scan's.
extension CompiledCascade {
    /// Calls `accept(x)` for every window of the row that every stage accepts, visiting positions `first`,
    /// `first + step`, … below `end` as OpenCV does. `step` is 1 or 2 (OpenCV's grids) or 4 (`HaarDetector.detectScreened`'s);
    /// other steps go one window at a time. `sum` and `squares` point at the row's first column.
    /// Reads up to `CompiledCascade.overread` elements beyond the last window's bottom-right corner.
    func scanRow(sum: UnsafePointer<Int32>, squares: UnsafePointer<Int32>, first: Int, end: Int, step: Int,
                 accept: (Int) -> Void) {
        guard isStumpBased, step == 1 || step == 2 || step == 4 else {
            var x = first
            while x < end {
                let result = evaluate(sum: sum + x, squares: squares + x)
                if result > 0 { accept(x) }
                x += result == 0 ? 2 * step : step
            }
            return
        }
        stumps.withUnsafeBufferPointer { stumps in
            var x = first
            while x < end {
                let lanes = min(Lanes.scalarCount, (end - x + step - 1) / step)
                let advanced = switch step {
                case 1: scanBatch(ContiguousGrid.self, stumps, sum + x, squares + x, lanes: lanes) { accept(x + $0 * step) }
                case 2: scanBatch(EveryOtherGrid.self, stumps, sum + x, squares + x, lanes: lanes) { accept(x + $0 * step) }
                default: scanBatch(EveryFourthGrid.self, stumps, sum + x, squares + x, lanes: lanes) { accept(x + $0 * step) }
                }
                x += advanced * step
            }
        }
    }

    /// Elements a batch may read past the last window it evaluates (its unused lanes' corners, four columns apart).
    static let overread = 4 * Lanes.scalarCount

    typealias Lanes = SIMD8<Int32>

    /// Evaluates up to eight positions (`lanes`) and returns how many grid positions the scan moved on.
    @inline(__always)
    private func scanBatch<Grid: WindowGrid>(_: Grid.Type, _ stumps: UnsafeBufferPointer<Stump>,
                                             _ sum: UnsafePointer<Int32>, _ squares: UnsafePointer<Int32>,
                                             lanes: Int, accept: (Int) -> Void) -> Int {
        let n = normOffsets
        let windowSum = Grid.load(sum, n.0) &- Grid.load(sum, n.1) &- Grid.load(sum, n.2) &+ Grid.load(sum, n.3)
        let windowSquares = Grid.load(squares, n.0) &- Grid.load(squares, n.1) &- Grid.load(squares, n.2) &+ Grid.load(squares, n.3)
        let area = SIMD8<Double>(repeating: normArea)
        let sums = SIMD8<Double>(windowSum)
        let spread = area * SIMD8<Double>(SIMD8<UInt32>(truncatingIfNeeded: windowSquares)) - sums * sums
        let inverse = SIMD8<Float>(1 / spread.squareRoot())
        // The one-window path's two variance tests, lane by lane.
        let textured = (spread .> 0) .& (area * SIMD8<Double>(inverse) .< 0.1)
        let texturedBits = bits(textured) & ((1 << lanes) - 1)
        // No window with the variance to be evaluated: OpenCV visits each (none is rejected, so none skipped).
        if texturedBits == 0 { return lanes }

        let passedFirstBits = stagePassBits(0, stumps, sum, inverse, Grid.self)

        // The positions OpenCV visits: after a first-stage rejection (a textured window below the
        // first threshold), the next position is skipped. On lane bits, without a branch per lane.
        let rejectedBits = texturedBits & ~passedFirstBits
        var visitedBits = 0, skipNext = 0
        for lane in 0..<lanes {
            let visit = skipNext ^ 1
            visitedBits |= visit << lane
            skipNext = visit & (rejectedBits >> lane) & 1
        }
        var activeBits = visitedBits & texturedBits & ~rejectedBits

        var stageIndex = 1
        // Later stages as a batch while at least two lanes are still accepted: eight lanes of a stump then cost less
        // than two windows one at a time (measured with `make bench`'s detection section: thresholds of 2 to 4 lanes
        // were within noise of each other before the stumps were regrouped, and 2 is about 10% faster since).
        while stageIndex < stages.count && activeBits.nonzeroBitCount >= 2 {
            activeBits &= stagePassBits(stageIndex, stumps, sum, inverse, Grid.self)
            stageIndex += 1
        }
        while activeBits != 0 {
            let lane = activeBits.trailingZeroBitCount
            activeBits &= activeBits - 1
            if stageIndex == stages.count
                || evaluateStumps(stumps, sum + Grid.offset(ofLane: lane), inverse[lane], fromStage: stageIndex) > 0 {
                accept(lane)
            }
        }
        return lanes + skipNext
    }

    /// Lane `i`'s flag as bit `i`.
    @inline(__always)
    private func bits(_ mask: SIMDMask<SIMD8<Int64>>) -> Int {
        Int(SIMD8<Int64>().replacing(with: SIMD8(1, 2, 4, 8, 16, 32, 64, 128), where: mask).wrappedSum())
    }

    @inline(__always)
    private func bits(_ mask: SIMDMask<SIMD8<Int32>>) -> Int {
        Int(SIMD8<Int32>().replacing(with: SIMD8(1, 2, 4, 8, 16, 32, 64, 128), where: mask).wrappedSum())
    }

    /// Which lanes stage `stage` accepts (bit `i` for lane `i`), as OpenCV's Double sum of the leaves decides. Where
    /// the sum is exact in any order, the leaves are first added in Float, which is cheaper, and the verdict taken
    /// from that sum when it is further from the threshold than Float's rounding can have moved it
    /// (`FloatVerdict`); the Double sum decides the other batches.
    @inline(__always)
    private func stagePassBits<Grid: WindowGrid>(_ stage: Int, _ stumps: UnsafeBufferPointer<Stump>,
                                                 _ sum: UnsafePointer<Int32>, _ inverse: SIMD8<Float>, _: Grid.Type) -> Int {
        let ranges = stageStumps[stage]
        if let verdict = ranges.floatVerdict {
            var total = SIMD8<Float>()
            for s in ranges.twoRectangles { total += leaves(stumps[s], sum, inverse, Grid.self, third: false) }
            for s in ranges.threeRectangles { total += leaves(stumps[s], sum, inverse, Grid.self, third: true) }
            let passes = total .>= verdict.surePass
            if !any(.!passes .& (total .>= verdict.sureFail)) { return bits(passes) }
        }
        return bits(stageTotals(stage, stumps, sum, inverse, Grid.self) .>= SIMD8<Double>(repeating: Double(stages[stage].threshold)))
    }

    /// One stage's sum of stump leaves for every lane, in Double: in OpenCV's order, or regrouped where that
    /// cannot change the total (`StageStumps`).
    @inline(__always)
    private func stageTotals<Grid: WindowGrid>(_ stage: Int, _ stumps: UnsafeBufferPointer<Stump>,
                                               _ sum: UnsafePointer<Int32>, _ inverse: SIMD8<Float>, _: Grid.Type) -> SIMD8<Double> {
        let ranges = stageStumps[stage]
        var total = SIMD8<Double>()
        for s in ranges.twoRectangles { total += doubleLeaves(stumps[s], sum, inverse, Grid.self, third: false) }
        for s in ranges.threeRectangles { total += doubleLeaves(stumps[s], sum, inverse, Grid.self, third: true) }
        for s in ranges.mixed { total += doubleLeaves(stumps[s], sum, inverse, Grid.self, third: stumps[s].feature.weights.2 != 0) }
        return total
    }

    @inline(__always)
    private func doubleLeaves<Grid: WindowGrid>(_ stump: Stump, _ sum: UnsafePointer<Int32>, _ inverse: SIMD8<Float>, _: Grid.Type,
                                                third: Bool) -> SIMD8<Double> {
        SIMD8<Double>(leaves(stump, sum, inverse, Grid.self, third: third))
    }

    /// One stump's leaf for every lane; `third`: whether its feature's third rectangle has a weight.
    @inline(__always)
    private func leaves<Grid: WindowGrid>(_ stump: Stump, _ sum: UnsafePointer<Int32>, _ inverse: SIMD8<Float>, _: Grid.Type,
                                          third: Bool) -> SIMD8<Float> {
        let o = stump.feature.offsets, w = stump.feature.weights
        let s0 = Grid.load(sum, o.0) &- Grid.load(sum, o.1) &- Grid.load(sum, o.2) &+ Grid.load(sum, o.3)
        let s1 = Grid.load(sum, o.4) &- Grid.load(sum, o.5) &- Grid.load(sum, o.6) &+ Grid.load(sum, o.7)
        var value = w.0 * SIMD8<Float>(s0) + w.1 * SIMD8<Float>(s1)
        if third {
            let s2 = Grid.load(sum, o.8) &- Grid.load(sum, o.9) &- Grid.load(sum, o.10) &+ Grid.load(sum, o.11)
            value += w.2 * SIMD8<Float>(s2)
        }
        value *= inverse
        return SIMD8<Float>(repeating: stump.right).replacing(with: stump.left, where: value .< stump.threshold)
    }
}

/// How a row's grid positions lie in memory: every column (step 1), every other column (step 2) or every fourth (step 4).
protocol WindowGrid {
    /// The integral-image values at `offset` from eight consecutive grid positions.
    static func load(_ base: UnsafePointer<Int32>, _ offset: Int32) -> SIMD8<Int32>
    static func offset(ofLane lane: Int) -> Int
}

extension WindowGrid {
    @inline(__always)
    static func load(_ base: UnsafePointer<Int32>, _ offset: Int) -> SIMD8<Int32> { load(base, Int32(truncatingIfNeeded: offset)) }
}

enum ContiguousGrid: WindowGrid {
    @inline(__always)
    static func load(_ base: UnsafePointer<Int32>, _ offset: Int32) -> SIMD8<Int32> {
        UnsafeRawPointer(base + Int(offset)).loadUnaligned(as: SIMD8<Int32>.self)
    }

    @inline(__always)
    static func offset(ofLane lane: Int) -> Int { lane }
}

enum EveryOtherGrid: WindowGrid {
    @inline(__always)
    static func load(_ base: UnsafePointer<Int32>, _ offset: Int32) -> SIMD8<Int32> {
        UnsafeRawPointer(base + Int(offset)).loadUnaligned(as: SIMD16<Int32>.self).evenHalf
    }

    @inline(__always)
    static func offset(ofLane lane: Int) -> Int { 2 * lane }
}

enum EveryFourthGrid: WindowGrid {
    @inline(__always)
    static func load(_ base: UnsafePointer<Int32>, _ offset: Int32) -> SIMD8<Int32> {
        let low = UnsafeRawPointer(base + Int(offset)).loadUnaligned(as: SIMD16<Int32>.self)
        let high = UnsafeRawPointer(base + Int(offset) + 16).loadUnaligned(as: SIMD16<Int32>.self)
        return SIMD8(lowHalf: low.evenHalf.evenHalf, highHalf: high.evenHalf.evenHalf)
    }

    @inline(__always)
    static func offset(ofLane lane: Int) -> Int { 4 * lane }
}

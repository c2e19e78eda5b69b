/// The arithmetic that dominates inference: matrix products (1×1 and im2col convolutions, Dense) and
/// depthwise convolutions, written with 8-lane SIMD so that the compiler emits AVX/FMA code.

typealias Vector8 = SIMD8<Float>

extension SIMD8 where Scalar == Float {
    /// `self + a × b`. Fused (one rounding, as TensorFlow's kernels compute it) where the build enables FMA;
    /// otherwise a multiply and an add, because an unfused `addingProduct` on a CPU target without FMA
    /// becomes a libm call per lane, about 40 times slower (see Package.swift).
    @inline(__always)
    func accumulating(_ a: Self, _ b: Self) -> Self {
        #if FACEMOOD_FUSED_MULTIPLY_ADD
        return addingProduct(a, b)
        #else
        return self + a * b
        #endif
    }
}

extension SIMD8 where Scalar == Float {
    /// `accumulating` when `fused`, else a multiply and an add (the arithmetic of a kernel's channel tail). Call it with a
    /// literal or loop-invariant `fused`, so that the choice leaves the loop.
    @inline(__always)
    func accumulating(_ a: Self, _ b: Self, fused: Bool) -> Self {
        fused ? accumulating(a, b) : self + a * b
    }
}

@inline(__always)
func load8(_ pointer: UnsafePointer<Float>) -> Vector8 {
    UnsafeRawPointer(pointer).loadUnaligned(as: Vector8.self)
}

/// Stores `vector` at `pointer`, unaligned, as a tuple of as many floats (of one float's alignment). Not `storeBytes`:
/// in the largest kernels the optimizer left it an outlined call that took the vector in four 128-bit registers,
/// reassembled it and cleared the upper registers on return, for every store; nor `copyMemory`, which it inlined in one
/// build and called through the runtime in the next. This form compiles to one vector store (checked in the binary).
@inline(__always)
func storeUnaligned(_ vector: Vector8, _ pointer: UnsafeMutablePointer<Float>) {
    pointer.withMemoryRebound(to: FloatLanes8.self, capacity: 1) { $0.pointee = unsafeBitCast(vector, to: FloatLanes8.self) }
}

@inline(__always)
func storeUnaligned(_ vector: Vector16, _ pointer: UnsafeMutablePointer<Float>) {
    pointer.withMemoryRebound(to: FloatLanes16.self, capacity: 1) { $0.pointee = unsafeBitCast(vector, to: FloatLanes16.self) }
}

typealias FloatLanes8 = (Float, Float, Float, Float, Float, Float, Float, Float)
typealias FloatLanes16 = (Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float)

@inline(__always)
func store8(_ vector: Vector8, _ pointer: UnsafeMutablePointer<Float>, count: Int = 8) {
    if count == 8 {
        storeUnaligned(vector, pointer)
    } else {
        // A half-width store, then single lanes: most channel counts that leave a partial vector leave four.
        var lane = 0
        if count >= 4 {
            UnsafeMutableRawPointer(pointer).storeBytes(of: vector.lowHalf, as: SIMD4<Float>.self)
            lane = 4
        }
        while lane < count {
            pointer[lane] = vector[lane]
            lane += 1
        }
    }
}

/// One AVX-512 register: the kernels' wider blocks where the build enables it (`FACEMOOD_AVX512`, see Package.swift).
typealias Vector16 = SIMD16<Float>

extension SIMD16 where Scalar == Float {
    /// `self + a × b`, fused like `Vector8.accumulating`.
    @inline(__always)
    func accumulating(_ a: Self, _ b: Self) -> Self {
        #if FACEMOOD_FUSED_MULTIPLY_ADD
        return addingProduct(a, b)
        #else
        return self + a * b
        #endif
    }
}

@inline(__always)
func load16(_ pointer: UnsafePointer<Float>) -> Vector16 {
    UnsafeRawPointer(pointer).loadUnaligned(as: Vector16.self)
}

@inline(__always)
func store16(_ vector: Vector16, _ pointer: UnsafeMutablePointer<Float>, count: Int = 16) {
    if count == 16 {
        storeUnaligned(vector, pointer)
    } else if count >= 8 {
        storeUnaligned(vector.lowHalf, pointer)
        store8(vector.highHalf, pointer + 8, count: count - 8)
    } else {
        store8(vector.lowHalf, pointer, count: count)
    }
}

/// What follows a kernel over its output while that output is still in the first-level cache: adds the
/// element of a residual at the same position (a TensorFlow Lite ADD that followed the kernel), then clamps
/// (a ReLU or ReLU6 that followed). These are the separate operations' own roundings in their own order, so
/// fusing them changes no bit; it saves a pass over the output, which for the larger activations is a trip
/// to memory. (In the product's register blocks the clamp vectors would crowd out the sums.)
package struct Epilogue: Sendable {
    /// What is added before the clamp.
    enum Residual: Sendable {
        /// A tensor laid out as the output, this many elements from it.
        case sameLayout(distance: Int)
        case narrow(NarrowResidual)
    }

    /// A residual with fewer channels per pixel than the output it is added to (the rest of each pixel's channels
    /// get + 0, as an ADD of that residual padded with zero channels would). Its pointers are read only during the
    /// kernel call that was given the epilogue, on that call's thread.
    struct NarrowResidual: @unchecked Sendable {
        let values: UnsafePointer<Float>
        /// The output's first element, from which an output pixel's index (and so its residual's) is counted.
        let output: UnsafePointer<Float>
        let channels: Int
        let outputChannels: Int
    }

    let residual: Residual?
    let lower: Float
    let upper: Float

    package static let none = Epilogue(residual: nil, lower: -.infinity, upper: .infinity)
    package static let relu = Epilogue(residual: nil, lower: 0, upper: .infinity)
    package static let relu6 = Epilogue(residual: nil, lower: 0, upper: 6)

    var isIdentity: Bool { residual == nil && lower == -.infinity && upper == .infinity }

    /// This epilogue with `residual`, laid out as `output`, added before the clamp.
    package func adding(_ residual: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>) -> Epilogue {
        Epilogue(residual: .sameLayout(distance: UnsafePointer(output).distance(to: residual)), lower: lower, upper: upper)
    }

    /// This epilogue with `residual`, `channels` values per pixel, added before the clamp to the first `channels` of each
    /// pixel of `output` (`outputChannels` values per pixel, at least `channels`), and zero to the others. The kernels
    /// apply it to whole pixels.
    package func adding(_ residual: UnsafePointer<Float>, channels: Int, of outputChannels: Int, to output: UnsafeMutablePointer<Float>) -> Epilogue {
        precondition(channels > 0 && channels <= outputChannels)
        return Epilogue(residual: .narrow(NarrowResidual(values: residual, output: UnsafePointer(output), channels: channels,
                                                         outputChannels: outputChannels)),
                        lower: lower, upper: upper)
    }

    /// `target[i] = epilogue(source[i])` for `count` values: an ADD (the residual as the other operand), an
    /// activation on its own, or both. `target` may be `source`.
    package func apply(to source: UnsafePointer<Float>, count: Int, into target: UnsafeMutablePointer<Float>) {
        var residualDistance: Int?
        switch residual {
        case let .narrow(narrow)?:
            applyPixels(narrow, to: source, count: count, into: target)
            return
        case let .sameLayout(distance)?: residualDistance = distance
        case nil: residualDistance = nil
        }
        var index = 0
        while index + 8 <= count {
            var vector = load8(source + index)
            if let residualDistance { vector += load8(UnsafePointer(target) + index + residualDistance) }
            store8(clamp(vector), target + index)
            index += 8
        }
        while index < count {
            var value = source[index]
            if let residualDistance { value += UnsafePointer(target)[index + residualDistance] }
            target[index] = clamp(value)
            index += 1
        }
    }

    /// Lanes below `lower` or above `upper` replaced (concrete vector types: generic SIMD code left unspecialized is
    /// lane-by-lane calls).
    @inline(__always)
    private func clamp(_ vector: Vector8) -> Vector8 {
        let lowest = Vector8(repeating: lower), highest = Vector8(repeating: upper)
        var vector = vector
        vector.replace(with: lowest, where: vector .< lowest)
        vector.replace(with: highest, where: vector .> highest)
        return vector
    }

    @inline(__always)
    private func clamp(_ vector: SIMD4<Float>) -> SIMD4<Float> {
        let lowest = SIMD4<Float>(repeating: lower), highest = SIMD4<Float>(repeating: upper)
        var vector = vector
        vector.replace(with: lowest, where: vector .< lowest)
        vector.replace(with: highest, where: vector .> highest)
        return vector
    }

    /// The clamp as the vectors take it, so that a lane and a tail element agree even on -0.0, which
    /// `Swift.max(-0.0, 0)` would turn into +0.0.
    @inline(__always)
    private func clamp(_ value: Float) -> Float {
        value < lower ? lower : value > upper ? upper : value
    }

    /// `apply` with a narrow residual, pixel by pixel: `target` starts at a pixel of the output and `count` covers whole pixels.
    private func applyPixels(_ residual: NarrowResidual, to source: UnsafePointer<Float>, count: Int, into target: UnsafeMutablePointer<Float>) {
        let channels = residual.outputChannels, residualChannels = residual.channels
        let whole = residualChannels / 8 * 8
        let firstPixel = residual.output.distance(to: UnsafePointer(target)) / channels
        for pixel in 0..<(count / channels) {
            let from = source + pixel * channels, to = target + pixel * channels
            let added = residual.values + (firstPixel + pixel) * residualChannels
            var c = 0
            while c < whole {
                store8(clamp(load8(from + c) + load8(added + c)), to + c)
                c += 8
            }
            // The vector where the residual's channels end, then the padding's zeros.
            while c + 8 <= channels {
                var operand = Vector8(repeating: 0)
                var lane = 0
                if c + 4 <= residualChannels {
                    operand.lowHalf = UnsafeRawPointer(added + c).loadUnaligned(as: SIMD4<Float>.self)
                    lane = 4
                }
                while c + lane < residualChannels && lane < 8 {
                    operand[lane] = added[c + lane]
                    lane += 1
                }
                store8(clamp(load8(from + c) + operand), to + c)
                c += 8
            }
            if c + 4 <= channels && c >= residualChannels {
                // Four channels of zeros (BlazeFace's 24 padded to 28).
                let vector = UnsafeRawPointer(from + c).loadUnaligned(as: SIMD4<Float>.self) + SIMD4<Float>(repeating: 0)
                UnsafeMutableRawPointer(to + c).storeBytes(of: clamp(vector), as: SIMD4<Float>.self)
                c += 4
            }
            while c < channels {
                let value = from[c] + (c < residualChannels ? added[c] : 0)
                to[c] = clamp(value)
                c += 1
            }
        }
    }
}

/// A weight matrix `[rows][columns]` whose rows are padded with zeros to a multiple of 8 columns, so the
/// product kernel never needs a scalar tail while reading weights.
package struct PackedMatrix: Sendable {
    package let rows: Int
    package let columns: Int
    let paddedColumns: Int
    let values: [Float]
    let bias: [Float]

    package init(rows: Int, columns: Int, values: [Float], bias: [Float]) {
        precondition(values.count == rows * columns && bias.count == columns)
        self.rows = rows
        self.columns = columns
        paddedColumns = (columns + 7) / 8 * 8
        var padded = [Float](repeating: 0, count: rows * paddedColumns)
        for row in 0..<rows {
            for column in 0..<columns { padded[row * paddedColumns + column] = values[row * columns + column] }
        }
        self.values = padded
        self.bias = bias + [Float](repeating: 0, count: paddedColumns - columns)
    }

    /// `output[p][n] = bias[n] + Σ_k input[p][k] · matrix[k][n]` for `count` rows of input (row stride `rows`)
    /// and output (row stride `columns`).
    ///
    /// Register blocks of six input rows by sixteen columns (twelve sums) or eight rows by eight columns; with
    /// AVX-512, six rows by 32 columns, eight by 24 or twelve by 16 in 16-lane sums (a last block of fewer rows
    /// repeats its last row and drops those sums): with fewer independent sums in flight the multiply-adds wait on
    /// each other's latency. Each sum still adds its terms in order k = 0, 1, …, so the blocking does not change a
    /// single bit of the result. Input rows are the outer loop so that a block's rows stay in the first-level cache
    /// while the weights stream past.
    package func multiply(_ input: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>, epilogue: Epilogue = .none) {
        values.withUnsafeBufferPointer { weightBuffer in
            bias.withUnsafeBufferPointer { biasBuffer in
                let weights = weightBuffer.baseAddress!, bias = biasBuffer.baseAddress!
                #if FACEMOOD_AVX512
                // Bands of 32 columns in six rows (twelve 16-lane sums), then the last 24 columns in eight rows (a 16-lane
                // and an 8-lane sum each) or the last 16 in twelve rows.
                let bands32 = paddedColumns / 32 * 32
                let wideColumns = paddedColumns / 16 * 16
                let lastBand24 = paddedColumns - bands32 == 24
                let tailStart = lastBand24 ? paddedColumns : wideColumns
                #else
                let wideColumns = paddedColumns / 16 * 16
                let tailStart = wideColumns
                #endif
                // Rows in chunks, so that the epilogue finds a chunk's outputs still in the first-level cache (in the
                // blocks' registers it would crowd out the sums).
                var start = 0
                while start < count {
                    let end = min(start + Self.chunkRows, count)
                    var p = start
                    #if FACEMOOD_AVX512
                    while p < end, bands32 > 0 {
                        let block = min(end - p, 6)
                        let source = input + p * rows, target = output + p * columns
                        var n = 0
                        while n < bands32 {
                            block6x32(source, weights + n, bias + n, target + n, columnsLeft: columns - n, rowCount: block)
                            n += 32
                        }
                        p += block
                    }
                    p = start
                    while p < end, lastBand24 {
                        let block = min(end - p, 8)
                        let n = bands32
                        block8x24(input + p * rows, weights + n, bias + n, output + p * columns + n, columnsLeft: columns - n, rowCount: block)
                        p += block
                    }
                    p = start
                    while p < end, wideColumns > bands32 && !lastBand24 {
                        let block = min(end - p, 12)
                        let n = bands32
                        block12x16(input + p * rows, weights + n, bias + n, output + p * columns + n, columnsLeft: columns - n, rowCount: block)
                        p += block
                    }
                    #else
                    while p < end, wideColumns > 0 {
                        let block = min(end - p, 6)
                        let source = input + p * rows, target = output + p * columns
                        var n = 0
                        while n < wideColumns {
                            if block > 1 {
                                block6x16(source, weights + n, bias + n, target + n, columnsLeft: columns - n, rowCount: block)
                            } else {
                                block1(source, weights + n, bias + n, target + n, columnsLeft: columns - n, wide: true)
                            }
                            n += 16
                        }
                        p += block
                    }
                    #endif
                    p = start
                    while p < end, tailStart < paddedColumns {
                        let block = min(end - p, 8)
                        let n = tailStart, source = input + p * rows, target = output + p * columns + n
                        if block > 1 {
                            block8x8(source, weights + n, bias + n, target, columnsLeft: columns - n, rowCount: block)
                        } else {
                            block1(source, weights + n, bias + n, target, columnsLeft: columns - n, wide: false)
                        }
                        p += block
                    }
                    if !epilogue.isIdentity {
                        epilogue.apply(to: output + start * columns, count: (end - start) * columns, into: output + start * columns)
                    }
                    start = end
                }
            }
        }
    }

    /// Rows per chunk: a multiple of the blocks' six and eight.
    static let chunkRows = 48

    @inline(__always)
    private func block6x16(_ input: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                           _ output: UnsafeMutablePointer<Float>, columnsLeft: Int, rowCount: Int) {
        let b0 = load8(bias), b1 = load8(bias + 8)
        var a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1
        var a30 = b0, a31 = b1, a40 = b0, a41 = b1, a50 = b0, a51 = b1
        // Fewer than six rows repeat the last one, whose extra sums are not stored.
        func row(_ index: Int) -> UnsafePointer<Float> { input + min(index, rowCount - 1) * rows }
        let r0 = input, r1 = row(1), r2 = row(2), r3 = row(3), r4 = row(4), r5 = row(5)
        var w = weights
        for k in 0..<rows {
            let w0 = load8(w), w1 = load8(w + 8)
            var x = Vector8(repeating: r0[k])
            a00 = a00.accumulating(x, w0); a01 = a01.accumulating(x, w1)
            x = Vector8(repeating: r1[k])
            a10 = a10.accumulating(x, w0); a11 = a11.accumulating(x, w1)
            x = Vector8(repeating: r2[k])
            a20 = a20.accumulating(x, w0); a21 = a21.accumulating(x, w1)
            x = Vector8(repeating: r3[k])
            a30 = a30.accumulating(x, w0); a31 = a31.accumulating(x, w1)
            x = Vector8(repeating: r4[k])
            a40 = a40.accumulating(x, w0); a41 = a41.accumulating(x, w1)
            x = Vector8(repeating: r5[k])
            a50 = a50.accumulating(x, w0); a51 = a51.accumulating(x, w1)
            w += paddedColumns
        }
        let first = min(columnsLeft, 8), second = min(max(columnsLeft - 8, 0), 8)
        store8(a00, output, count: first); store8(a01, output + 8, count: second)
        store8(a10, output + columns, count: first); store8(a11, output + columns + 8, count: second)
        if rowCount > 2 { store8(a20, output + 2 * columns, count: first); store8(a21, output + 2 * columns + 8, count: second) }
        if rowCount > 3 { store8(a30, output + 3 * columns, count: first); store8(a31, output + 3 * columns + 8, count: second) }
        if rowCount > 4 { store8(a40, output + 4 * columns, count: first); store8(a41, output + 4 * columns + 8, count: second) }
        if rowCount > 5 { store8(a50, output + 5 * columns, count: first); store8(a51, output + 5 * columns + 8, count: second) }
    }

    #if FACEMOOD_AVX512
    @inline(__always)
    private func block6x32(_ input: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                           _ output: UnsafeMutablePointer<Float>, columnsLeft: Int, rowCount: Int) {
        let b0 = load16(bias), b1 = load16(bias + 16)
        var a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1
        var a30 = b0, a31 = b1, a40 = b0, a41 = b1, a50 = b0, a51 = b1
        // Fewer than six rows repeat the last one, whose extra sums are not stored.
        func row(_ index: Int) -> UnsafePointer<Float> { input + min(index, rowCount - 1) * rows }
        let r0 = input, r1 = row(1), r2 = row(2), r3 = row(3), r4 = row(4), r5 = row(5)
        var w = weights
        for k in 0..<rows {
            let w0 = load16(w), w1 = load16(w + 16)
            var x = Vector16(repeating: r0[k])
            a00 = a00.accumulating(x, w0); a01 = a01.accumulating(x, w1)
            x = Vector16(repeating: r1[k])
            a10 = a10.accumulating(x, w0); a11 = a11.accumulating(x, w1)
            x = Vector16(repeating: r2[k])
            a20 = a20.accumulating(x, w0); a21 = a21.accumulating(x, w1)
            x = Vector16(repeating: r3[k])
            a30 = a30.accumulating(x, w0); a31 = a31.accumulating(x, w1)
            x = Vector16(repeating: r4[k])
            a40 = a40.accumulating(x, w0); a41 = a41.accumulating(x, w1)
            x = Vector16(repeating: r5[k])
            a50 = a50.accumulating(x, w0); a51 = a51.accumulating(x, w1)
            w += paddedColumns
        }
        let first = min(columnsLeft, 16), second = min(max(columnsLeft - 16, 0), 16)
        store16(a00, output, count: first); store16(a01, output + 16, count: second)
        if rowCount > 1 { store16(a10, output + columns, count: first); store16(a11, output + columns + 16, count: second) }
        if rowCount > 2 { store16(a20, output + 2 * columns, count: first); store16(a21, output + 2 * columns + 16, count: second) }
        if rowCount > 3 { store16(a30, output + 3 * columns, count: first); store16(a31, output + 3 * columns + 16, count: second) }
        if rowCount > 4 { store16(a40, output + 4 * columns, count: first); store16(a41, output + 4 * columns + 16, count: second) }
        if rowCount > 5 { store16(a50, output + 5 * columns, count: first); store16(a51, output + 5 * columns + 16, count: second) }
    }

    @inline(__always)
    private func block8x24(_ input: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                           _ output: UnsafeMutablePointer<Float>, columnsLeft: Int, rowCount: Int) {
        let b0 = load16(bias), b1 = load8(bias + 16)
        var a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1
        var a40 = b0, a41 = b1, a50 = b0, a51 = b1, a60 = b0, a61 = b1, a70 = b0, a71 = b1
        // Fewer than eight rows repeat the last one, whose extra sums are not stored.
        func row(_ index: Int) -> UnsafePointer<Float> { input + min(index, rowCount - 1) * rows }
        let r0 = input, r1 = row(1), r2 = row(2), r3 = row(3), r4 = row(4), r5 = row(5), r6 = row(6), r7 = row(7)
        var w = weights
        for k in 0..<rows {
            let w0 = load16(w), w1 = load8(w + 16)
            var x = r0[k]
            a00 = a00.accumulating(Vector16(repeating: x), w0); a01 = a01.accumulating(Vector8(repeating: x), w1)
            x = r1[k]
            a10 = a10.accumulating(Vector16(repeating: x), w0); a11 = a11.accumulating(Vector8(repeating: x), w1)
            x = r2[k]
            a20 = a20.accumulating(Vector16(repeating: x), w0); a21 = a21.accumulating(Vector8(repeating: x), w1)
            x = r3[k]
            a30 = a30.accumulating(Vector16(repeating: x), w0); a31 = a31.accumulating(Vector8(repeating: x), w1)
            x = r4[k]
            a40 = a40.accumulating(Vector16(repeating: x), w0); a41 = a41.accumulating(Vector8(repeating: x), w1)
            x = r5[k]
            a50 = a50.accumulating(Vector16(repeating: x), w0); a51 = a51.accumulating(Vector8(repeating: x), w1)
            x = r6[k]
            a60 = a60.accumulating(Vector16(repeating: x), w0); a61 = a61.accumulating(Vector8(repeating: x), w1)
            x = r7[k]
            a70 = a70.accumulating(Vector16(repeating: x), w0); a71 = a71.accumulating(Vector8(repeating: x), w1)
            w += paddedColumns
        }
        let first = min(columnsLeft, 16), second = min(max(columnsLeft - 16, 0), 8)
        store16(a00, output, count: first); store8(a01, output + 16, count: second)
        if rowCount > 1 { store16(a10, output + columns, count: first); store8(a11, output + columns + 16, count: second) }
        if rowCount > 2 { store16(a20, output + 2 * columns, count: first); store8(a21, output + 2 * columns + 16, count: second) }
        if rowCount > 3 { store16(a30, output + 3 * columns, count: first); store8(a31, output + 3 * columns + 16, count: second) }
        if rowCount > 4 { store16(a40, output + 4 * columns, count: first); store8(a41, output + 4 * columns + 16, count: second) }
        if rowCount > 5 { store16(a50, output + 5 * columns, count: first); store8(a51, output + 5 * columns + 16, count: second) }
        if rowCount > 6 { store16(a60, output + 6 * columns, count: first); store8(a61, output + 6 * columns + 16, count: second) }
        if rowCount > 7 { store16(a70, output + 7 * columns, count: first); store8(a71, output + 7 * columns + 16, count: second) }
    }

    @inline(__always)
    private func block12x16(_ input: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                            _ output: UnsafeMutablePointer<Float>, columnsLeft: Int, rowCount: Int) {
        let b = load16(bias)
        var a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b, a8 = b, a9 = b, a10 = b, a11 = b
        // Fewer than twelve rows repeat the last one, whose extra sums are not stored.
        func row(_ index: Int) -> UnsafePointer<Float> { input + min(index, rowCount - 1) * rows }
        let r0 = input, r1 = row(1), r2 = row(2), r3 = row(3), r4 = row(4), r5 = row(5)
        let r6 = row(6), r7 = row(7), r8 = row(8), r9 = row(9), r10 = row(10), r11 = row(11)
        var w = weights
        for k in 0..<rows {
            let w0 = load16(w)
            a0 = a0.accumulating(Vector16(repeating: r0[k]), w0)
            a1 = a1.accumulating(Vector16(repeating: r1[k]), w0)
            a2 = a2.accumulating(Vector16(repeating: r2[k]), w0)
            a3 = a3.accumulating(Vector16(repeating: r3[k]), w0)
            a4 = a4.accumulating(Vector16(repeating: r4[k]), w0)
            a5 = a5.accumulating(Vector16(repeating: r5[k]), w0)
            a6 = a6.accumulating(Vector16(repeating: r6[k]), w0)
            a7 = a7.accumulating(Vector16(repeating: r7[k]), w0)
            a8 = a8.accumulating(Vector16(repeating: r8[k]), w0)
            a9 = a9.accumulating(Vector16(repeating: r9[k]), w0)
            a10 = a10.accumulating(Vector16(repeating: r10[k]), w0)
            a11 = a11.accumulating(Vector16(repeating: r11[k]), w0)
            w += paddedColumns
        }
        let count = min(columnsLeft, 16)
        store16(a0, output, count: count)
        if rowCount > 1 { store16(a1, output + columns, count: count) }
        if rowCount > 2 { store16(a2, output + 2 * columns, count: count) }
        if rowCount > 3 { store16(a3, output + 3 * columns, count: count) }
        if rowCount > 4 { store16(a4, output + 4 * columns, count: count) }
        if rowCount > 5 { store16(a5, output + 5 * columns, count: count) }
        if rowCount > 6 { store16(a6, output + 6 * columns, count: count) }
        if rowCount > 7 { store16(a7, output + 7 * columns, count: count) }
        if rowCount > 8 { store16(a8, output + 8 * columns, count: count) }
        if rowCount > 9 { store16(a9, output + 9 * columns, count: count) }
        if rowCount > 10 { store16(a10, output + 10 * columns, count: count) }
        if rowCount > 11 { store16(a11, output + 11 * columns, count: count) }
    }
    #endif

    @inline(__always)
    private func block8x8(_ input: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                          _ output: UnsafeMutablePointer<Float>, columnsLeft: Int, rowCount: Int) {
        let b0 = load8(bias)
        var a0 = b0, a1 = b0, a2 = b0, a3 = b0, a4 = b0, a5 = b0, a6 = b0, a7 = b0
        // Fewer than eight rows repeat the last one, whose extra sums are not stored.
        func row(_ index: Int) -> UnsafePointer<Float> { input + min(index, rowCount - 1) * rows }
        let r0 = input, r1 = row(1), r2 = row(2), r3 = row(3), r4 = row(4), r5 = row(5), r6 = row(6), r7 = row(7)
        var w = weights
        for k in 0..<rows {
            let w0 = load8(w)
            a0 = a0.accumulating(Vector8(repeating: r0[k]), w0)
            a1 = a1.accumulating(Vector8(repeating: r1[k]), w0)
            a2 = a2.accumulating(Vector8(repeating: r2[k]), w0)
            a3 = a3.accumulating(Vector8(repeating: r3[k]), w0)
            a4 = a4.accumulating(Vector8(repeating: r4[k]), w0)
            a5 = a5.accumulating(Vector8(repeating: r5[k]), w0)
            a6 = a6.accumulating(Vector8(repeating: r6[k]), w0)
            a7 = a7.accumulating(Vector8(repeating: r7[k]), w0)
            w += paddedColumns
        }
        let count = min(columnsLeft, 8)
        store8(a0, output, count: count); store8(a1, output + columns, count: count)
        if rowCount > 2 { store8(a2, output + 2 * columns, count: count) }
        if rowCount > 3 { store8(a3, output + 3 * columns, count: count) }
        if rowCount > 4 { store8(a4, output + 4 * columns, count: count) }
        if rowCount > 5 { store8(a5, output + 5 * columns, count: count) }
        if rowCount > 6 { store8(a6, output + 6 * columns, count: count) }
        if rowCount > 7 { store8(a7, output + 7 * columns, count: count) }
    }

    @inline(__always)
    private func block1(_ input: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                        _ output: UnsafeMutablePointer<Float>, columnsLeft: Int, wide: Bool) {
        var a0 = load8(bias), a1 = wide ? load8(bias + 8) : Vector8()
        var w = weights
        for k in 0..<rows {
            let x = Vector8(repeating: input[k])
            a0 = a0.accumulating(x, load8(w))
            if wide { a1 = a1.accumulating(x, load8(w + 8)) }
            w += paddedColumns
        }
        store8(a0, output, count: min(columnsLeft, 8))
        if wide { store8(a1, output + 8, count: min(max(columnsLeft - 8, 0), 8)) }
    }
}

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

@inline(__always)
func load8(_ pointer: UnsafePointer<Float>) -> Vector8 {
    UnsafeRawPointer(pointer).loadUnaligned(as: Vector8.self)
}

@inline(__always)
func store8(_ vector: Vector8, _ pointer: UnsafeMutablePointer<Float>, count: Int = 8) {
    if count == 8 {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: Vector8.self)
    } else {
        for lane in 0..<count { pointer[lane] = vector[lane] }
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
    package func multiply(_ input: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>) {
        values.withUnsafeBufferPointer { weightBuffer in
            bias.withUnsafeBufferPointer { biasBuffer in
                let weights = weightBuffer.baseAddress!, bias = biasBuffer.baseAddress!
                var n = 0
                while n < paddedColumns {
                    let wide = paddedColumns - n >= 16
                    var p = 0
                    while p + 4 <= count {
                        if wide {
                            block4x16(input + p * rows, weights + n, bias + n, output + p * columns + n, columnsLeft: columns - n)
                        } else {
                            block4x8(input + p * rows, weights + n, bias + n, output + p * columns + n, columnsLeft: columns - n)
                        }
                        p += 4
                    }
                    while p < count {
                        block1(input + p * rows, weights + n, bias + n, output + p * columns + n,
                               columnsLeft: columns - n, wide: wide)
                        p += 1
                    }
                    n += wide ? 16 : 8
                }
            }
        }
    }

    @inline(__always)
    private func block4x16(_ input: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                           _ output: UnsafeMutablePointer<Float>, columnsLeft: Int) {
        let b0 = load8(bias), b1 = load8(bias + 8)
        var a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1
        let r0 = input, r1 = input + rows, r2 = input + 2 * rows, r3 = input + 3 * rows
        var w = weights
        for k in 0..<rows {
            let w0 = load8(w), w1 = load8(w + 8)
            let x0 = Vector8(repeating: r0[k]), x1 = Vector8(repeating: r1[k])
            let x2 = Vector8(repeating: r2[k]), x3 = Vector8(repeating: r3[k])
            a00 = a00.accumulating(x0, w0); a01 = a01.accumulating(x0, w1)
            a10 = a10.accumulating(x1, w0); a11 = a11.accumulating(x1, w1)
            a20 = a20.accumulating(x2, w0); a21 = a21.accumulating(x2, w1)
            a30 = a30.accumulating(x3, w0); a31 = a31.accumulating(x3, w1)
            w += paddedColumns
        }
        let first = min(columnsLeft, 8), second = min(max(columnsLeft - 8, 0), 8)
        store8(a00, output, count: first); store8(a01, output + 8, count: second)
        store8(a10, output + columns, count: first); store8(a11, output + columns + 8, count: second)
        store8(a20, output + 2 * columns, count: first); store8(a21, output + 2 * columns + 8, count: second)
        store8(a30, output + 3 * columns, count: first); store8(a31, output + 3 * columns + 8, count: second)
    }

    @inline(__always)
    private func block4x8(_ input: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                          _ output: UnsafeMutablePointer<Float>, columnsLeft: Int) {
        let b0 = load8(bias)
        var a0 = b0, a1 = b0, a2 = b0, a3 = b0
        let r0 = input, r1 = input + rows, r2 = input + 2 * rows, r3 = input + 3 * rows
        var w = weights
        for k in 0..<rows {
            let w0 = load8(w)
            a0 = a0.accumulating(Vector8(repeating: r0[k]), w0)
            a1 = a1.accumulating(Vector8(repeating: r1[k]), w0)
            a2 = a2.accumulating(Vector8(repeating: r2[k]), w0)
            a3 = a3.accumulating(Vector8(repeating: r3[k]), w0)
            w += paddedColumns
        }
        let count = min(columnsLeft, 8)
        store8(a0, output, count: count); store8(a1, output + columns, count: count)
        store8(a2, output + 2 * columns, count: count); store8(a3, output + 3 * columns, count: count)
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

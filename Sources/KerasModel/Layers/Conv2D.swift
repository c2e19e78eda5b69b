/// `Conv2D`: kernel `[kh, kw, in, out]`, optional bias, optional fused activation.
struct Conv2D: Layer {
    let name: String
    let kerasClass = "Conv2D"
    let outputShape: [Int]
    let parameterCount: Int
    let geometry: WindowGeometry
    let inputChannels: Int
    let filters: Int
    /// Keras's layout `[kh][kw][in][out]`, which is already the `[patch][out]` matrix of an im2col product.
    let kernel: [Float]
    let bias: [Float]
    let matrix: PackedMatrix
    var activation: ActivationFunction

    init(_ spec: LayerSpec) throws {
        try spec.requireChannelsLast()
        let input = try spec.imageInputShape
        let size = try spec.pair("kernel_size")
        let groups = try spec.int("groups", default: 1)
        guard groups == 1 else { throw spec.invalid("groups") }
        name = spec.name
        filters = try spec.int("filters")
        inputChannels = input.channels
        geometry = try WindowGeometry(spec: spec, height: input.height, width: input.width, kernel: size,
                                      stride: try spec.pair("strides", default: 1), dilation: try spec.pair("dilation_rate", default: 1))
        kernel = try spec.weight("kernel", shape: [size.0, size.1, input.channels, filters])
        let useBias = try spec.bool("use_bias", default: true)
        bias = try spec.optionalWeight("bias", shape: [filters], when: useBias) ?? [Float](repeating: 0, count: filters)
        activation = try spec.activation()
        outputShape = [geometry.rows.output, geometry.columns.output, filters]
        parameterCount = kernel.count + (useBias ? filters : 0)
        matrix = PackedMatrix(rows: size.0 * size.1 * input.channels, columns: filters, values: kernel, bias: bias)
    }

    init(folding conv: Conv2D, scale: [Float], shift: [Float]) {
        name = conv.name
        outputShape = conv.outputShape
        parameterCount = conv.parameterCount
        geometry = conv.geometry
        inputChannels = conv.inputChannels
        filters = conv.filters
        activation = conv.activation
        var kernel = conv.kernel
        for index in kernel.indices { kernel[index] *= scale[index % conv.filters] }
        self.kernel = kernel
        bias = (0..<conv.filters).map { conv.bias[$0] * scale[$0] + shift[$0] }
        matrix = PackedMatrix(rows: conv.matrix.rows, columns: conv.filters, values: kernel, bias: bias)
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        convolve(inputs[0], geometry: geometry, inputChannels: inputChannels, matrix: matrix, into: output, scratch: scratch,
                 epilogue: activation.epilogue ?? .none)
        activation.applyUnlessFused(output, count: outputCount, channels: filters)
    }
}

extension Conv2D: BatchNormFoldable {
    var foldableActivation: ActivationFunction { activation }
    var foldedChannels: Int { filters }
    func folded(scale: [Float], shift: [Float]) -> Layer { Conv2D(folding: self, scale: scale, shift: shift) }
}

/// Dense convolution, channels last, as a matrix product: each output row's patches are gathered into
/// a `[width][kh·kw·in]` buffer (zeros where the window leaves the input) and multiplied by the kernel.
package func convolve(_ source: UnsafePointer<Float>, geometry: WindowGeometry, inputChannels: Int, matrix: PackedMatrix,
                      into target: UnsafeMutablePointer<Float>, scratch: Scratch, epilogue: Epilogue = .none) {
    let rows = geometry.rows, columns = geometry.columns
    let outputChannels = matrix.columns
    if rows.kernel == 1 && columns.kernel == 1 && rows.stride == 1 && columns.stride == 1 {
        matrix.multiply(source, count: rows.output * columns.output, into: target, epilogue: epilogue)
        return
    }
    #if FACEMOOD_AVX512
    if PixelLaneConvolution.fits(geometry, inputChannels: inputChannels, outputChannels: outputChannels) {
        PixelLaneConvolution.convolve(source, geometry: geometry, inputChannels: inputChannels, matrix: matrix, into: target,
                                      scratch: scratch, epilogue: epilogue)
        return
    }
    #endif
    if inputChannels <= 16 && (rows.kernel * columns.kernel * inputChannels < 16 || matrix.columns <= 8) {
        // Small patches, or filters that fill one vector: gathering the patches would cost more than the arithmetic,
        // and reading the input in place lets eight pixels share each weight.
        convolveDirect(source, geometry: geometry, inputChannels: inputChannels, matrix: matrix, into: target, epilogue: epilogue)
        return
    }
    let patchSize = matrix.rows
    let patch = scratch.floats(columns.output * patchSize)
    for oy in 0..<rows.output {
        var cursor = patch
        for ox in 0..<columns.output {
            for ky in 0..<rows.kernel {
                let iy = oy * rows.stride + ky * rows.dilation - rows.padBefore
                let ixLeft = ox * columns.stride - columns.padBefore
                if columns.dilation == 1 && iy >= 0 && iy < rows.input && ixLeft >= 0 && ixLeft + columns.kernel <= columns.input {
                    // The window's row is one run of neighbouring pixels: one copy instead of one per tap.
                    let run = columns.kernel * inputChannels
                    copyChannels(from: source + (iy * columns.input + ixLeft) * inputChannels, to: cursor, count: run)
                    cursor += run
                    continue
                }
                for kx in 0..<columns.kernel {
                    let ix = ox * columns.stride + kx * columns.dilation - columns.padBefore
                    if iy < 0 || iy >= rows.input || ix < 0 || ix >= columns.input {
                        for c in 0..<inputChannels { cursor[c] = 0 }
                    } else {
                        copyChannels(from: source + (iy * columns.input + ix) * inputChannels, to: cursor, count: inputChannels)
                    }
                    cursor += inputChannels
                }
            }
        }
        matrix.multiply(patch, count: columns.output, into: target + oy * columns.output * outputChannels, epilogue: epilogue)
    }
}

/// Copies one pixel's channels; inline vector moves, since a library call costs more than a few floats.
@inline(__always)
func copyChannels(from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
    var c = 0
    while c + 8 <= count {
        store8(load8(source + c), target + c)
        c += 8
    }
    while c < count {
        target[c] = source[c]
        c += 1
    }
}

/// Convolution accumulated in registers, eight (or four) output pixels and eight output channels at a time, reading
/// the input in place. Pixels whose window leaves the input skip the missing taps (zero padding).
func convolveDirect(_ source: UnsafePointer<Float>, geometry: WindowGeometry, inputChannels: Int, matrix: PackedMatrix,
                    into target: UnsafeMutablePointer<Float>, epilogue: Epilogue) {
    let rows = geometry.rows, columns = geometry.columns
    let outputChannels = matrix.columns, padded = matrix.paddedColumns
    matrix.values.withUnsafeBufferPointer { weightBuffer in
        matrix.bias.withUnsafeBufferPointer { biasBuffer in
            let weights = weightBuffer.baseAddress!
            for oy in 0..<rows.output {
                var n = 0
                while n < padded {
                    let bias = load8(biasBuffer.baseAddress! + n)
                    let lanes = min(8, outputChannels - n)
                    let iyBase = oy * rows.stride - rows.padBefore
                    let rowsInside = iyBase >= 0 && iyBase + (rows.kernel - 1) * rows.dilation < rows.input
                    var ox = 0
                    pixels: while ox < columns.output {
                        let ixBase = ox * columns.stride - columns.padBefore
                        let out = target + (oy * columns.output + ox) * outputChannels + n
                        for width in stride(from: 8, through: 4, by: -4) where rowsInside && ox + width <= columns.output && ixBase >= 0
                            && (ox + width - 1) * columns.stride - columns.padBefore + (columns.kernel - 1) * columns.dilation < columns.input {
                            // `width` neighbouring pixels share each weight load and keep independent sums in flight.
                            var a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias
                            let pixelStep = columns.stride * inputChannels
                            let wide = width == 8
                            for ky in 0..<rows.kernel {
                                let row = source + ((iyBase + ky * rows.dilation) * columns.input + ixBase) * inputChannels
                                for kx in 0..<columns.kernel {
                                    let p0 = row + kx * columns.dilation * inputChannels
                                    var w = weights + ((ky * columns.kernel + kx) * inputChannels) * padded + n
                                    for ci in 0..<inputChannels {
                                        let weight = load8(w)
                                        a0 = a0.accumulating(Vector8(repeating: p0[ci]), weight)
                                        a1 = a1.accumulating(Vector8(repeating: p0[pixelStep + ci]), weight)
                                        a2 = a2.accumulating(Vector8(repeating: p0[2 * pixelStep + ci]), weight)
                                        a3 = a3.accumulating(Vector8(repeating: p0[3 * pixelStep + ci]), weight)
                                        if wide {
                                            a4 = a4.accumulating(Vector8(repeating: p0[4 * pixelStep + ci]), weight)
                                            a5 = a5.accumulating(Vector8(repeating: p0[5 * pixelStep + ci]), weight)
                                            a6 = a6.accumulating(Vector8(repeating: p0[6 * pixelStep + ci]), weight)
                                            a7 = a7.accumulating(Vector8(repeating: p0[7 * pixelStep + ci]), weight)
                                        }
                                        w += padded
                                    }
                                }
                            }
                            store8(a0, out, count: lanes)
                            store8(a1, out + outputChannels, count: lanes)
                            store8(a2, out + 2 * outputChannels, count: lanes)
                            store8(a3, out + 3 * outputChannels, count: lanes)
                            if wide {
                                store8(a4, out + 4 * outputChannels, count: lanes)
                                store8(a5, out + 5 * outputChannels, count: lanes)
                                store8(a6, out + 6 * outputChannels, count: lanes)
                                store8(a7, out + 7 * outputChannels, count: lanes)
                            }
                            ox += width
                            continue pixels
                        }
                        var sum = bias
                        for ky in 0..<rows.kernel {
                            let iy = iyBase + ky * rows.dilation
                            if iy < 0 || iy >= rows.input { continue }
                            for kx in 0..<columns.kernel {
                                let ix = ixBase + kx * columns.dilation
                                if ix < 0 || ix >= columns.input { continue }
                                let pixel = source + (iy * columns.input + ix) * inputChannels
                                var w = weights + ((ky * columns.kernel + kx) * inputChannels) * padded + n
                                for ci in 0..<inputChannels {
                                    sum = sum.accumulating(Vector8(repeating: pixel[ci]), load8(w))
                                    w += padded
                                }
                            }
                        }
                        store8(sum, out, count: lanes)
                        ox += 1
                    }
                    n += 8
                }
                // The row's outputs are still in the first-level cache; in the loop above the epilogue's values
                // would crowd the sums out of the registers.
                if !epilogue.isIdentity {
                    let row = target + oy * columns.output * outputChannels
                    epilogue.apply(to: row, count: columns.output * outputChannels, into: row)
                }
            }
        }
    }
}

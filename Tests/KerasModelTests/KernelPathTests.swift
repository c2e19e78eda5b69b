import Testing
@testable import KerasModel

/// The kernels choose among register blocks and paths by shape (and, with AVX-512, by vector width); every path must
/// give each output the same sum in the same order, so the choice never shows in a result.
@Suite struct KernelPathTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func values(_ count: Int, _ generator: inout Generator) -> [Float] {
        (0..<count).map { _ in Float.random(in: -1...1, using: &generator) }
    }

    /// Bias, then each term in order k = 0, 1, …: fused multiply-adds, or multiplies and adds, as the build makes them.
    static func orderedSums(_ input: [Float], count: Int, _ matrix: [Float], rows: Int, columns: Int, bias: [Float], fused: Bool) -> [Float] {
        var output = [Float](repeating: 0, count: count * columns)
        for p in 0..<count {
            for n in 0..<columns {
                var sum = bias[n]
                for k in 0..<rows {
                    sum = fused ? sum.addingProduct(input[p * rows + k], matrix[k * columns + n]) : sum + input[p * rows + k] * matrix[k * columns + n]
                }
                output[p * columns + n] = sum
            }
        }
        return output
    }

    @Test func everyRegisterBlockOfTheMatrixProductAddsInOrder() {
        var generator = Generator(state: 1)
        for columns in [7, 8, 16, 24, 28, 32, 40, 42, 48, 56, 64, 72, 88, 128, 130] {
            for (rows, count) in [(1, 1), (8, 5), (16, 13), (9, 48), (32, 49), (64, 100)] {
                let weights = Self.values(rows * columns, &generator), bias = Self.values(columns, &generator)
                let input = Self.values(rows * count, &generator)
                let matrix = PackedMatrix(rows: rows, columns: columns, values: weights, bias: bias)
                var output = [Float](repeating: .nan, count: count * columns)
                input.withUnsafeBufferPointer { source in
                    output.withUnsafeMutableBufferPointer { matrix.multiply(source.baseAddress!, count: count, into: $0.baseAddress!) }
                }
                let fused = Self.orderedSums(input, count: count, weights, rows: rows, columns: columns, bias: bias, fused: true)
                let unfused = Self.orderedSums(input, count: count, weights, rows: rows, columns: columns, bias: bias, fused: false)
                #expect(output == fused || output == unfused, "\(count) rows of \(rows) × \(columns) columns")
            }
        }
    }

    /// The depthwise kernel's groups of four or eight pixels (the last overlapping; at stride 2 the even and odd taps
    /// sliding apart), its border pixels and its channel tails, on sizes whose widths are not multiples of four, with and
    /// without padding and stride: every output within Float's bound of the exact sum, and bit for bit the plain sum
    /// in `applyPixel`'s order (fused multiply-adds where the build fuses them, except the channel tails).
    @Test func depthwiseGroupsBordersAndTailsMatchAPlainSum() {
        var generator = Generator(state: 2)
        for channels in [4, 5, 8, 12, 16, 24, 28, 36, 40, 42, 48] {
            // (width, kernel, row stride, column stride, same padding)
            for (width, kernel, rowStride, stride, same) in [(9, 3, 1, 1, true), (13, 3, 1, 1, false), (11, 5, 2, 2, true), (7, 5, 1, 1, true),
                                                              (6, 3, 2, 2, false), (12, 3, 2, 1, true), (17, 3, 1, 1, true), (33, 3, 1, 1, true),
                                                              (40, 3, 2, 2, true), (41, 3, 2, 2, true), (37, 5, 2, 2, true), (36, 2, 2, 2, false),
                                                              (38, 4, 1, 2, false)] {
                let height = 6
                let geometry = WindowGeometry(rows: WindowAxis(input: height, kernel: kernel, stride: rowStride, same: same),
                                              columns: WindowAxis(input: width, kernel: kernel, stride: stride, same: same))
                let weights = Self.values(kernel * kernel * channels, &generator), bias = Self.values(channels, &generator)
                let input = Self.values(height * width * channels, &generator)
                let depthwise = DepthwiseKernel(geometry: geometry, inputChannels: channels, multiplier: 1, kernel: weights)
                let outputs = geometry.rows.output * geometry.columns.output * channels
                var output = [Float](repeating: .nan, count: outputs)
                input.withUnsafeBufferPointer { source in
                    bias.withUnsafeBufferPointer { b in
                        output.withUnsafeMutableBufferPointer { depthwise.apply(source.baseAddress!, bias: b.baseAddress!, into: $0.baseAddress!) }
                    }
                }
                // Against the exact sum (in Double), each output within Float's bound for its own terms: n additions of
                // rounded products move a sum by at most (n + 1) · 2⁻²⁴ · Σ|term|. A tap read from the wrong pixel, or
                // a channel or pixel left out, misses by far more.
                var exceeded = 0
                var fused = output, unfused = output
                // Below eight channels, and for a count that is not a multiple of eight the last eight, multiplied and added apart.
                let fusedChannels = channels < 8 ? 0 : channels % 8 == 0 ? channels : channels - 8
                for oy in 0..<geometry.rows.output {
                    for ox in 0..<geometry.columns.output {
                        for c in 0..<channels {
                            var sum = Double(bias[c]), magnitude = abs(Double(bias[c])), terms = 0
                            var fusedSum = bias[c], unfusedSum = bias[c]
                            for ky in 0..<kernel {
                                for kx in 0..<kernel {
                                    let iy = oy * rowStride + ky - geometry.rows.padBefore, ix = ox * stride + kx - geometry.columns.padBefore
                                    guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                                    let x = input[(iy * width + ix) * channels + c], w = weights[(ky * kernel + kx) * channels + c]
                                    let term = Double(x) * Double(w)
                                    sum += term
                                    magnitude += abs(term)
                                    terms += 1
                                    fusedSum = c < fusedChannels ? fusedSum.addingProduct(x, w) : fusedSum + x * w
                                    unfusedSum = unfusedSum + x * w
                                }
                            }
                            let bound = Double(terms + 1) * 0x1p-24 * magnitude
                            let index = (oy * geometry.columns.output + ox) * channels + c
                            if abs(Double(output[index]) - sum) > bound { exceeded += 1 }
                            fused[index] = fusedSum
                            unfused[index] = unfusedSum
                        }
                    }
                }
                let label = "\(channels) channels, width \(width), kernel \(kernel), strides \(rowStride)×\(stride), same \(same)"
                #expect(exceeded == 0, "\(label)")
                #expect(output == fused || output == unfused, "\(label): not the plain sum's bits")
            }
        }
    }

    /// A residual narrower than the output (a PAD of zero channels folded into the epilogue) gives the bits of padding it
    /// with zeros and adding it whole, negative zeros included, applied to the whole output or to a later run of pixels.
    @Test func aNarrowResidualIsItsZeroPaddingAdded() {
        var generator = Generator(state: 4)
        for (residualChannels, channels) in [(24, 28), (28, 32), (32, 36), (36, 42), (42, 48), (5, 8), (8, 16), (3, 7), (12, 12), (26, 28)] {
            let pixels = 9
            var output = Self.values(pixels * channels, &generator)
            var residual = Self.values(pixels * residualChannels, &generator)
            // Negative zeros on both sides, in a padding channel, the first channel and the residual's last channel of
            // every pixel (in the scalar tail where the output's channels are not a multiple of eight).
            for pixel in 0..<pixels {
                output[pixel * channels] = -0.0
                residual[pixel * residualChannels] = -0.0
                output[pixel * channels + residualChannels - 1] = -0.0
                residual[pixel * residualChannels + residualChannels - 1] = -0.0
            }
            output[channels - 1] = -0.0
            var padded = [Float](repeating: 0, count: pixels * channels)
            for pixel in 0..<pixels {
                for c in 0..<residualChannels { padded[pixel * channels + c] = residual[pixel * residualChannels + c] }
            }
            for epilogue in [Epilogue.none, .relu, .relu6] {
                var expected = output + padded
                expected.withUnsafeMutableBufferPointer { buffer in
                    let base = buffer.baseAddress!
                    epilogue.adding(base + pixels * channels, to: base).apply(to: base, count: pixels * channels, into: base)
                }
                var whole = output, split = output
                residual.withUnsafeBufferPointer { added in
                    whole.withUnsafeMutableBufferPointer { buffer in
                        let base = buffer.baseAddress!
                        epilogue.adding(added.baseAddress!, channels: residualChannels, of: channels, to: base)
                            .apply(to: base, count: pixels * channels, into: base)
                    }
                    split.withUnsafeMutableBufferPointer { buffer in
                        let base = buffer.baseAddress!, narrow = epilogue.adding(added.baseAddress!, channels: residualChannels, of: channels, to: base)
                        narrow.apply(to: base, count: 4 * channels, into: base)
                        narrow.apply(to: base + 4 * channels, count: 5 * channels, into: base + 4 * channels)
                    }
                }
                let label = "\(residualChannels) channels into \(channels), \(epilogue.lower)…\(epilogue.upper)"
                let differing = whole.indices.filter { whole[$0].bitPattern != expected[$0].bitPattern }
                #expect(differing.isEmpty, "\(label): elements \(differing) differ from the padded ADD's")
                #expect(split.map(\.bitPattern) == whole.map(\.bitPattern), "\(label), in two runs of pixels")
            }
        }
    }

    /// The pixel-lane convolution gives every output the very bits of the channels-last direct convolution: one or eight
    /// input channels into eight outputs without padding (the emotion model's stems), and three input channels into 24 or
    /// 32 outputs with "same" padding at stride 1 and 2 (BlazeFace's stems), including a residual in the epilogue.
    @Test func pixelLaneConvolutionEqualsTheDirectOne() {
        var generator = Generator(state: 3)
        typealias Case = (inputChannels: Int, outputs: Int, width: Int, height: Int, kernel: (Int, Int), stride: Int, same: Bool)
        var cases: [Case] = []
        for inputChannels in [1, 8] {
            for (width, height, kernelHeight, kernelWidth) in [(34, 5, 3, 3), (35, 4, 3, 3), (49, 6, 3, 3), (64, 8, 3, 3), (40, 7, 5, 3)] {
                cases.append((inputChannels, 8, width, height, (kernelHeight, kernelWidth), 1, false))
            }
        }
        cases += [(3, 24, 70, 9, (5, 5), 2, true), (3, 24, 128, 6, (5, 5), 2, true), (3, 32, 66, 7, (3, 3), 2, true),
                  (3, 32, 97, 5, (3, 3), 2, true), (3, 24, 40, 6, (5, 5), 1, true), (2, 16, 65, 6, (3, 3), 2, false)]
        for test in cases {
            let geometry = WindowGeometry(rows: WindowAxis(input: test.height, kernel: test.kernel.0, stride: test.stride, same: test.same),
                                          columns: WindowAxis(input: test.width, kernel: test.kernel.1, stride: test.stride, same: test.same))
            let label = "\(test.inputChannels)→\(test.outputs), \(test.height)×\(test.width), kernel \(test.kernel), stride \(test.stride)"
            #expect(PixelLaneConvolution.fits(geometry, inputChannels: test.inputChannels, outputChannels: test.outputs), "\(label)")
            let rows = test.kernel.0 * test.kernel.1 * test.inputChannels
            let matrix = PackedMatrix(rows: rows, columns: test.outputs, values: Self.values(rows * test.outputs, &generator),
                                      bias: Self.values(test.outputs, &generator))
            let input = Self.values(test.height * test.width * test.inputChannels, &generator)
            let count = geometry.rows.output * geometry.columns.output * test.outputs
            let residual = Self.values(count, &generator)
            // The output buffer holds the residual after the outputs, as an ADD's operand beside a layer's output would lie.
            var lanes = [Float](repeating: .nan, count: count) + residual, direct = lanes
            input.withUnsafeBufferPointer { source in
                lanes.withUnsafeMutableBufferPointer {
                    PixelLaneConvolution.convolve(source.baseAddress!, geometry: geometry, inputChannels: test.inputChannels, matrix: matrix,
                                                  into: $0.baseAddress!, scratch: Scratch(),
                                                  epilogue: Epilogue.relu.adding($0.baseAddress! + count, to: $0.baseAddress!))
                }
                direct.withUnsafeMutableBufferPointer {
                    convolveDirect(source.baseAddress!, geometry: geometry, inputChannels: test.inputChannels, matrix: matrix,
                                   into: $0.baseAddress!, epilogue: Epilogue.relu.adding($0.baseAddress! + count, to: $0.baseAddress!))
                }
            }
            #expect(lanes == direct, "\(label)")
            #expect(!lanes.prefix(count).contains { $0.isNaN }, "\(label): every output written")
        }
    }
}

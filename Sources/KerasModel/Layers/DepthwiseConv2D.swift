/// `DepthwiseConv2D`: each input channel convolved with its own `depth_multiplier` kernels;
/// output channel `c * multiplier + m`, as TensorFlow orders them.
struct DepthwiseConv2D: Layer {
    let name: String
    let kerasClass = "DepthwiseConv2D"
    let outputShape: [Int]
    let parameterCount: Int
    let depthwise: DepthwiseKernel
    let bias: [Float]
    var activation: ActivationFunction

    init(_ spec: LayerSpec) throws {
        try spec.requireChannelsLast()
        name = spec.name
        // Keras 2 names the weight depthwise_kernel, Keras 3 kernel.
        depthwise = try DepthwiseKernel(spec: spec, weightKey: spec.weights["kernel"] != nil ? "kernel" : "depthwise_kernel")
        let channels = depthwise.outputChannels
        let useBias = try spec.bool("use_bias", default: true)
        bias = try spec.optionalWeight("bias", shape: [channels], when: useBias) ?? [Float](repeating: 0, count: channels)
        activation = try spec.activation()
        outputShape = [depthwise.geometry.rows.output, depthwise.geometry.columns.output, channels]
        parameterCount = depthwise.kernel.count + (useBias ? channels : 0)
    }

    private init(folding layer: DepthwiseConv2D, scale: [Float], shift: [Float]) {
        name = layer.name
        outputShape = layer.outputShape
        parameterCount = layer.parameterCount
        depthwise = layer.depthwise.scaled(by: scale)
        bias = (0..<layer.bias.count).map { layer.bias[$0] * scale[$0] + shift[$0] }
        activation = layer.activation
    }

    func forward(_ inputs: [UnsafePointer<Float>], into output: UnsafeMutablePointer<Float>, scratch: Scratch) {
        bias.withUnsafeBufferPointer { depthwise.apply(inputs[0], bias: $0.baseAddress!, into: output, epilogue: activation.epilogue ?? .none) }
        activation.applyUnlessFused(output, count: outputCount, channels: depthwise.outputChannels)
    }
}

extension DepthwiseConv2D: BatchNormFoldable {
    var foldableActivation: ActivationFunction { activation }
    var foldedChannels: Int { depthwise.outputChannels }
    func folded(scale: [Float], shift: [Float]) -> Layer { DepthwiseConv2D(folding: self, scale: scale, shift: shift) }
}

/// The depthwise half shared by DepthwiseConv2D and SeparableConv2D: kernel `[kh, kw, in, multiplier]`.
package struct DepthwiseKernel: Sendable {
    let geometry: WindowGeometry
    let inputChannels: Int
    let multiplier: Int
    let kernel: [Float]
    package var outputChannels: Int { inputChannels * multiplier }

    init(spec: LayerSpec, weightKey: String) throws {
        let input = try spec.imageInputShape
        let size = try spec.pair("kernel_size")
        inputChannels = input.channels
        multiplier = try spec.int("depth_multiplier", default: 1)
        geometry = try WindowGeometry(spec: spec, height: input.height, width: input.width, kernel: size,
                                      stride: try spec.pair("strides", default: 1), dilation: try spec.pair("dilation_rate", default: 1))
        kernel = try spec.weight(weightKey, shape: [size.0, size.1, input.channels, multiplier])
    }

    /// `kernel` in the layout `[kh][kw][in][multiplier]` (TensorFlow Lite's `[1][kh][kw][in·multiplier]` is the same).
    package init(geometry: WindowGeometry, inputChannels: Int, multiplier: Int, kernel: [Float]) {
        self.geometry = geometry
        self.inputChannels = inputChannels
        self.multiplier = multiplier
        self.kernel = kernel
    }

    /// The kernel with output channel `k` multiplied by `scale[k]`.
    func scaled(by scale: [Float]) -> DepthwiseKernel {
        var kernel = self.kernel
        for index in kernel.indices { kernel[index] *= scale[index % outputChannels] }
        return DepthwiseKernel(geometry: geometry, inputChannels: inputChannels, multiplier: multiplier, kernel: kernel)
    }

    /// The depthwise convolution of `source` plus `bias` (one value per output channel) into `target`.
    package func apply(_ source: UnsafePointer<Float>, bias: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>,
                       epilogue: Epilogue = .none) {
        let rows = geometry.rows, columns = geometry.columns
        let channels = outputChannels
        // The common case (multiplier 1, dilation 1: MobileNet's 3×3, BlazeFace's 5×5) away from the border needs
        // no tap bounds, and four (or eight) neighbouring pixels share each weight load and keep as many independent
        // sums in flight. The taps are summed in the same order as `applyPixel`, so the result does not depend on the path.
        let kernelWidth = columns.kernel
        let isPlain = multiplier == 1 && rows.dilation == 1 && columns.dilation == 1
        #if FACEMOOD_AVX512
        let slides = isPlain && (columns.stride == 1 || columns.stride == 2)
        #endif
        kernel.withUnsafeBufferPointer { kernelBuffer in
            let weights = kernelBuffer.baseAddress!
            // The output columns whose windows lie inside the input's width; on an output row, the kernel rows that lie
            // inside its height. Groups of four pixels cover the inside columns (the last group overlapping the one before
            // it, which recomputes the same values), and only the border columns go one pixel at a time.
            let firstInside = min(columns.output, (columns.padBefore + columns.stride - 1) / columns.stride)
            let insideSpan = columns.input - kernelWidth + columns.padBefore
            let endInside = insideSpan < 0 ? firstInside : max(firstInside, min(columns.output, insideSpan / columns.stride + 1))
            let rowStep = columns.input * channels, pixelStep = columns.stride * channels
            for oy in 0..<rows.output {
                let rowStart = target + oy * columns.output * channels
                let (ky0, ky1) = tapRange(rows, output: oy)
                guard isPlain && endInside - firstInside >= 4 && ky1 > ky0 else {
                    for ox in 0..<columns.output {
                        applyPixel(source, bias: bias, into: rowStart + ox * channels, oy: oy, ox: ox, firstChannel: 0)
                    }
                    if !epilogue.isIdentity { epilogue.apply(to: rowStart, count: columns.output * channels, into: rowStart) }
                    continue
                }
                for ox in 0..<firstInside {
                    applyPixel(source, bias: bias, into: rowStart + ox * channels, oy: oy, ox: ox, firstChannel: 0)
                }
                for ox in endInside..<columns.output {
                    applyPixel(source, bias: bias, into: rowStart + ox * channels, oy: oy, ox: ox, firstChannel: 0)
                }
                let tapRows = ky1 - ky0
                let taps = weights + ky0 * kernelWidth * channels
                var next = firstInside
                #if FACEMOOD_AVX512
                if slides && endInside - firstInside >= 8 {
                    // Groups of eight pixels whose inputs slide along the kernel row (at stride 2, the even and the odd
                    // taps each over their own inputs); the channels in 16-lane vectors, then 8 (the last eight overlapping),
                    // or below eight channels 4 and single lanes, as `applyPixel` takes them.
                    while next < endInside {
                        let ox = min(next, endInside - 8)
                        next = ox + 8
                        let top = source + ((oy * rows.stride - rows.padBefore + ky0) * columns.input + ox * columns.stride - columns.padBefore) * channels
                        let out = rowStart + ox * channels
                        var c = 0
                        if columns.stride == 1 {
                            while c + 16 <= channels {
                                Self.eightPixels16(top + c, taps + c, bias + c, out + c, tapRows, kernelWidth, rowStep, channels)
                                c += 16
                            }
                            while c < channels && channels >= 8 {
                                let group = min(c, channels - 8)
                                if group == c {
                                    Self.eightPixels8(top + group, taps + group, bias + group, out + group, tapRows, kernelWidth, rowStep, channels,
                                                      fused: true)
                                } else {
                                    Self.eightPixels8(top + group, taps + group, bias + group, out + group, tapRows, kernelWidth, rowStep, channels,
                                                      fused: false)
                                }
                                c = group + 8
                            }
                        } else {
                            while c + 16 <= channels {
                                Self.eightPixels16Stride2(top + c, taps + c, bias + c, out + c, tapRows, kernelWidth, rowStep, channels)
                                c += 16
                            }
                            while c < channels && channels >= 8 {
                                let group = min(c, channels - 8)
                                let second = 4 * pixelStep
                                if group == c {
                                    Self.fourPixels(top + group, taps + group, bias + group, out + group, tapRows, kernelWidth, rowStep, pixelStep,
                                                    channels, fused: true)
                                    Self.fourPixels(top + second + group, taps + group, bias + group, out + 4 * channels + group, tapRows,
                                                    kernelWidth, rowStep, pixelStep, channels, fused: true)
                                } else {
                                    Self.fourPixels(top + group, taps + group, bias + group, out + group, tapRows, kernelWidth, rowStep, pixelStep,
                                                    channels, fused: false)
                                    Self.fourPixels(top + second + group, taps + group, bias + group, out + 4 * channels + group, tapRows,
                                                    kernelWidth, rowStep, pixelStep, channels, fused: false)
                                }
                                c = group + 8
                            }
                        }
                        if c + 4 <= channels {
                            Self.fourPixelsOfFour(top + c, taps + c, bias + c, out + c, tapRows, kernelWidth, rowStep, pixelStep, channels)
                            Self.fourPixelsOfFour(top + 4 * pixelStep + c, taps + c, bias + c, out + 4 * channels + c, tapRows, kernelWidth,
                                                  rowStep, pixelStep, channels)
                            c += 4
                        }
                        if c < channels {
                            for pixel in 0..<8 {
                                applyPixel(source, bias: bias, into: out + pixel * channels, oy: oy, ox: ox + pixel, firstChannel: c)
                            }
                        }
                    }
                }
                #endif
                while next < endInside {
                    let ox = min(next, endInside - 4)
                    next = ox + 4
                    let top = source + ((oy * rows.stride - rows.padBefore + ky0) * columns.input + ox * columns.stride - columns.padBefore) * channels
                    let out = rowStart + ox * channels
                    var c = 0
                    while c < channels && channels >= 8 {
                        let group = min(c, channels - 8)
                        if group == c {
                            Self.fourPixels(top + group, taps + group, bias + group, out + group, tapRows, kernelWidth, rowStep, pixelStep, channels,
                                            fused: true)
                        } else {
                            Self.fourPixels(top + group, taps + group, bias + group, out + group, tapRows, kernelWidth, rowStep, pixelStep, channels,
                                            fused: false)
                        }
                        c = group + 8
                    }
                    if c + 4 <= channels {
                        Self.fourPixelsOfFour(top + c, taps + c, bias + c, out + c, tapRows, kernelWidth, rowStep, pixelStep, channels)
                        c += 4
                    }
                    if c < channels {
                        for pixel in 0..<4 {
                            applyPixel(source, bias: bias, into: out + pixel * channels, oy: oy, ox: ox + pixel, firstChannel: c)
                        }
                    }
                }
                // While the row is in the first-level cache (see `convolveDirect`).
                if !epilogue.isIdentity {
                    epilogue.apply(to: rowStart, count: columns.output * channels, into: rowStart)
                }
            }
        }
    }

    /// Eight channels of four neighbouring output pixels whose windows lie inside the input; the taps summed in
    /// `applyPixel`'s order, `fused` or (a layer's last eight channels when its count is not a multiple of eight)
    /// multiplied and added apart.
    @inline(__always)
    private static func fourPixels(_ top: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                   _ out: UnsafeMutablePointer<Float>, _ kernelHeight: Int, _ kernelWidth: Int,
                                   _ rowStep: Int, _ pixelStep: Int, _ channels: Int, fused: Bool) {
        let start = load8(bias)
        var s0 = start, s1 = start, s2 = start, s3 = start
        for ky in 0..<kernelHeight {
            let row = top + ky &* rowStep
            let taps = weights + ky &* kernelWidth &* channels
            for kx in 0..<kernelWidth {
                let weight = load8(taps + kx &* channels)
                let tap = row + kx &* channels
                s0 = s0.accumulating(load8(tap), weight, fused: fused)
                s1 = s1.accumulating(load8(tap + pixelStep), weight, fused: fused)
                s2 = s2.accumulating(load8(tap + 2 &* pixelStep), weight, fused: fused)
                s3 = s3.accumulating(load8(tap + 3 &* pixelStep), weight, fused: fused)
            }
        }
        store8(s0, out)
        store8(s1, out + channels)
        store8(s2, out + 2 &* channels)
        store8(s3, out + 3 &* channels)
    }

    /// Four channels of four neighbouring output pixels whose windows lie inside the input, for a layer of four to seven
    /// channels: half-width vectors multiplied and added apart like `applyPixel`'s, so a value does not depend on which
    /// path made it.
    @inline(__always)
    private static func fourPixelsOfFour(_ top: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                         _ out: UnsafeMutablePointer<Float>, _ kernelHeight: Int, _ kernelWidth: Int,
                                         _ rowStep: Int, _ pixelStep: Int, _ channels: Int) {
        let start = UnsafeRawPointer(bias).loadUnaligned(as: SIMD4<Float>.self)
        var s0 = start, s1 = start, s2 = start, s3 = start
        let step = pixelStep * MemoryLayout<Float>.stride
        for ky in 0..<kernelHeight {
            let row = top + ky * rowStep
            for kx in 0..<kernelWidth {
                let weight = UnsafeRawPointer(weights + (ky * kernelWidth + kx) * channels).loadUnaligned(as: SIMD4<Float>.self)
                let tap = UnsafeRawPointer(row + kx * channels)
                s0 = s0 + tap.loadUnaligned(as: SIMD4<Float>.self) * weight
                s1 = s1 + tap.loadUnaligned(fromByteOffset: step, as: SIMD4<Float>.self) * weight
                s2 = s2 + tap.loadUnaligned(fromByteOffset: 2 * step, as: SIMD4<Float>.self) * weight
                s3 = s3 + tap.loadUnaligned(fromByteOffset: 3 * step, as: SIMD4<Float>.self) * weight
            }
        }
        UnsafeMutableRawPointer(out).storeBytes(of: s0, as: SIMD4<Float>.self)
        UnsafeMutableRawPointer(out + channels).storeBytes(of: s1, as: SIMD4<Float>.self)
        UnsafeMutableRawPointer(out + 2 * channels).storeBytes(of: s2, as: SIMD4<Float>.self)
        UnsafeMutableRawPointer(out + 3 * channels).storeBytes(of: s3, as: SIMD4<Float>.self)
    }

    #if FACEMOOD_AVX512
    /// Sixteen channels of eight neighbouring output pixels at stride 2 whose windows lie inside the input, the taps
    /// summed in `applyPixel`'s order. Pixel p's tap kx reads input 2p + kx: the even taps slide over the even inputs
    /// and the odd taps over the odd ones, one pixel per second tap, so a kernel row of width k ≥ 2 loads 14 + k inputs for
    /// 8k multiply-adds (instead of 8k inputs).
    @inline(__always)
    private static func eightPixels16Stride2(_ top: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                             _ out: UnsafeMutablePointer<Float>, _ kernelHeight: Int, _ kernelWidth: Int,
                                             _ rowStep: Int, _ channels: Int) {
        let start = load16(bias)
        var s0 = start, s1 = start, s2 = start, s3 = start, s4 = start, s5 = start, s6 = start, s7 = start
        for ky in 0..<kernelHeight {
            let row = top + ky &* rowStep
            let taps = weights + ky &* kernelWidth &* channels
            @inline(__always) func input(_ column: Int) -> Vector16 { load16(row + column &* channels) }
            var e0 = input(0), e1 = input(2), e2 = input(4), e3 = input(6), e4 = input(8), e5 = input(10), e6 = input(12), e7 = input(14)
            // The odd inputs only where a tap reads them: a one-column kernel's window ends at input 14.
            var o0 = e0, o1 = e0, o2 = e0, o3 = e0, o4 = e0, o5 = e0, o6 = e0, o7 = e0
            if kernelWidth > 1 {
                o0 = input(1); o1 = input(3); o2 = input(5); o3 = input(7); o4 = input(9); o5 = input(11); o6 = input(13); o7 = input(15)
            }
            for kx in 0..<kernelWidth {
                let weight = load16(taps + kx &* channels)
                if kx & 1 == 0 {
                    s0 = s0.accumulating(e0, weight); s1 = s1.accumulating(e1, weight)
                    s2 = s2.accumulating(e2, weight); s3 = s3.accumulating(e3, weight)
                    s4 = s4.accumulating(e4, weight); s5 = s5.accumulating(e5, weight)
                    s6 = s6.accumulating(e6, weight); s7 = s7.accumulating(e7, weight)
                    if kx + 2 < kernelWidth {
                        e0 = e1; e1 = e2; e2 = e3; e3 = e4; e4 = e5; e5 = e6; e6 = e7
                        e7 = input(16 &+ kx)
                    }
                } else {
                    s0 = s0.accumulating(o0, weight); s1 = s1.accumulating(o1, weight)
                    s2 = s2.accumulating(o2, weight); s3 = s3.accumulating(o3, weight)
                    s4 = s4.accumulating(o4, weight); s5 = s5.accumulating(o5, weight)
                    s6 = s6.accumulating(o6, weight); s7 = s7.accumulating(o7, weight)
                    if kx + 2 < kernelWidth {
                        o0 = o1; o1 = o2; o2 = o3; o3 = o4; o4 = o5; o5 = o6; o6 = o7
                        o7 = input(16 &+ kx)
                    }
                }
            }
        }
        store16(s0, out); store16(s1, out + channels); store16(s2, out + 2 &* channels); store16(s3, out + 3 &* channels)
        store16(s4, out + 4 &* channels); store16(s5, out + 5 &* channels); store16(s6, out + 6 &* channels)
        store16(s7, out + 7 &* channels)
    }

    /// Sixteen channels of eight neighbouring output pixels (stride 1) whose windows lie inside the input, the taps summed in
    /// `applyPixel`'s order. Along a kernel row, pixel p's tap kx + 1 is pixel p + 1's tap kx: the eight inputs slide
    /// by one pixel per tap, so each tap loads one new input and one weight for eight multiply-adds.
    @inline(__always)
    private static func eightPixels16(_ top: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                     _ out: UnsafeMutablePointer<Float>, _ kernelHeight: Int, _ kernelWidth: Int,
                                     _ rowStep: Int, _ channels: Int) {
        let start = load16(bias)
        var s0 = start, s1 = start, s2 = start, s3 = start, s4 = start, s5 = start, s6 = start, s7 = start
        for ky in 0..<kernelHeight {
            let row = top + ky &* rowStep
            let taps = weights + ky &* kernelWidth &* channels
            var x0 = load16(row), x1 = load16(row + channels), x2 = load16(row + 2 &* channels), x3 = load16(row + 3 &* channels)
            var x4 = load16(row + 4 &* channels), x5 = load16(row + 5 &* channels), x6 = load16(row + 6 &* channels)
            var x7 = load16(row + 7 &* channels)
            for kx in 0..<kernelWidth {
                let weight = load16(taps + kx &* channels)
                s0 = s0.accumulating(x0, weight); s1 = s1.accumulating(x1, weight)
                s2 = s2.accumulating(x2, weight); s3 = s3.accumulating(x3, weight)
                s4 = s4.accumulating(x4, weight); s5 = s5.accumulating(x5, weight)
                s6 = s6.accumulating(x6, weight); s7 = s7.accumulating(x7, weight)
                if kx + 1 < kernelWidth {
                    x0 = x1; x1 = x2; x2 = x3; x3 = x4; x4 = x5; x5 = x6; x6 = x7
                    x7 = load16(row + (8 &+ kx) &* channels)
                }
            }
        }
        store16(s0, out); store16(s1, out + channels); store16(s2, out + 2 &* channels); store16(s3, out + 3 &* channels)
        store16(s4, out + 4 &* channels); store16(s5, out + 5 &* channels); store16(s6, out + 6 &* channels)
        store16(s7, out + 7 &* channels)
    }

    /// Eight channels of eight neighbouring output pixels (stride 1) whose windows lie inside the input, the taps summed in
    /// `applyPixel`'s order, `fused` or apart as in `fourPixels`. Along a kernel row, pixel p's tap kx + 1 is pixel p + 1's tap kx: the eight inputs slide
    /// by one pixel per tap, so each tap loads one new input and one weight for eight multiply-adds.
    @inline(__always)
    private static func eightPixels8(_ top: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                     _ out: UnsafeMutablePointer<Float>, _ kernelHeight: Int, _ kernelWidth: Int,
                                     _ rowStep: Int, _ channels: Int, fused: Bool) {
        let start = load8(bias)
        var s0 = start, s1 = start, s2 = start, s3 = start, s4 = start, s5 = start, s6 = start, s7 = start
        for ky in 0..<kernelHeight {
            let row = top + ky &* rowStep
            let taps = weights + ky &* kernelWidth &* channels
            var x0 = load8(row), x1 = load8(row + channels), x2 = load8(row + 2 &* channels), x3 = load8(row + 3 &* channels)
            var x4 = load8(row + 4 &* channels), x5 = load8(row + 5 &* channels), x6 = load8(row + 6 &* channels)
            var x7 = load8(row + 7 &* channels)
            for kx in 0..<kernelWidth {
                let weight = load8(taps + kx &* channels)
                s0 = s0.accumulating(x0, weight, fused: fused); s1 = s1.accumulating(x1, weight, fused: fused)
                s2 = s2.accumulating(x2, weight, fused: fused); s3 = s3.accumulating(x3, weight, fused: fused)
                s4 = s4.accumulating(x4, weight, fused: fused); s5 = s5.accumulating(x5, weight, fused: fused)
                s6 = s6.accumulating(x6, weight, fused: fused); s7 = s7.accumulating(x7, weight, fused: fused)
                if kx + 1 < kernelWidth {
                    x0 = x1; x1 = x2; x2 = x3; x3 = x4; x4 = x5; x5 = x6; x6 = x7
                    x7 = load8(row + (8 &+ kx) &* channels)
                }
            }
        }
        store8(s0, out); store8(s1, out + channels); store8(s2, out + 2 &* channels); store8(s3, out + 3 &* channels)
        store8(s4, out + 4 &* channels); store8(s5, out + 5 &* channels); store8(s6, out + 6 &* channels)
        store8(s7, out + 7 &* channels)
    }
    #endif

    /// The taps `k0..<k1` of output position `output` along one axis whose input positions lie inside the input.
    @inline(__always)
    private func tapRange(_ axis: WindowAxis, output: Int) -> (Int, Int) {
        let k0 = max(0, (axis.padBefore - output * axis.stride + axis.dilation - 1) / axis.dilation)
        let k1 = max(k0, min(axis.kernel, (axis.input + axis.padBefore - output * axis.stride + axis.dilation - 1) / axis.dilation))
        return (k0, k1)
    }

    /// One output pixel (written at `out`), channels from `firstChannel` on, with the window clipped to the input.
    @inline(__always)
    private func applyPixel(_ source: UnsafePointer<Float>, bias: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                            oy: Int, ox: Int, firstChannel: Int) {
        let rows = geometry.rows, columns = geometry.columns
        let channels = outputChannels
        let (ky0, ky1) = tapRange(rows, output: oy)
        let (kx0, kx1) = tapRange(columns, output: ox)
        let rowStep = columns.input * inputChannels
        let top = oy * rows.stride - rows.padBefore, left = ox * columns.stride - columns.padBefore
        kernel.withUnsafeBufferPointer { kernelBuffer in
            let weights = kernelBuffer.baseAddress!
            var c = firstChannel
            if multiplier == 1 {
                // The tap (ky, kx) of channel c: input at row + kx·dilation·channels + c, weight at taps + kx·channels + c.
                let tapStep = columns.dilation &* channels
                #if FACEMOOD_AVX512
                while c + 16 <= channels {
                    var sum = load16(bias + c)
                    for ky in ky0..<ky1 {
                        let row = source + ((top &+ ky &* rows.dilation) &* rowStep &+ left &* inputChannels &+ c)
                        let taps = weights + (ky &* columns.kernel &* channels &+ c)
                        for kx in kx0..<kx1 { sum = sum.accumulating(load16(row + kx &* tapStep), load16(taps + kx &* channels)) }
                    }
                    store16(sum, out + c)
                    c += 16
                }
                #endif
                // With eight channels or more, a last partial group is the last eight channels, overlapping the group
                // before it and written after it, multiplied and added apart as a scalar tail would be: every path gives
                // those eight channels that arithmetic, and the others fused multiply-adds.
                while c < channels && channels >= 8 {
                    let group = min(c, channels - 8)
                    let fused = group == c
                    var sum = load8(bias + group)
                    for ky in ky0..<ky1 {
                        let row = source + ((top &+ ky &* rows.dilation) &* rowStep &+ left &* inputChannels &+ group)
                        let taps = weights + (ky &* columns.kernel &* channels &+ group)
                        for kx in kx0..<kx1 { sum = sum.accumulating(load8(row + kx &* tapStep), load8(taps + kx &* channels), fused: fused) }
                    }
                    store8(sum, out + group)
                    c = group + 8
                }
                if c + 4 <= channels {
                    // Fewer than eight channels: multiplied and added apart, as the four-pixel groups' and the scalar ones.
                    var sum = UnsafeRawPointer(bias + c).loadUnaligned(as: SIMD4<Float>.self)
                    for ky in ky0..<ky1 {
                        let row = source + ((top &+ ky &* rows.dilation) &* rowStep &+ left &* inputChannels &+ c)
                        let taps = weights + (ky &* columns.kernel &* channels &+ c)
                        for kx in kx0..<kx1 {
                            let input = UnsafeRawPointer(row + kx &* tapStep).loadUnaligned(as: SIMD4<Float>.self)
                            sum = sum + input * UnsafeRawPointer(taps + kx &* channels).loadUnaligned(as: SIMD4<Float>.self)
                        }
                    }
                    UnsafeMutableRawPointer(out + c).storeBytes(of: sum, as: SIMD4<Float>.self)
                    c += 4
                }
            }
            for channel in c..<channels {
                var sum = bias[channel]
                let inputChannel = channel / multiplier
                for ky in ky0..<ky1 {
                    let row = source + ((top &+ ky &* rows.dilation) &* rowStep &+ inputChannel)
                    let taps = weights + (ky &* columns.kernel &* channels &+ channel)
                    for kx in kx0..<kx1 {
                        sum += row[(left &+ kx &* columns.dilation) &* inputChannels] * taps[kx &* channels]
                    }
                }
                out[channel] = sum
            }
        }
    }
}

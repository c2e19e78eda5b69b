/// Dense convolution with the pixels of an output row in the vector lanes, for layers with few input channels: the stems
/// of small CNNs (the emotion model's 1→8 and 8→8 3×3 convolutions over 64×64 faces, BlazeFace's 3→24 5×5 and 3→32 3×3
/// ones at stride 2). A channels-last kernel broadcasts every input value it reads and, with three input channels, fills
/// its patches 75 values at a time; here sixteen neighbouring output pixels read one input channel with one load, from
/// planes that hold each channel (and, at stride 2, each column phase) apart, each weight is one broadcast shared by 32
/// pixels, and the sums of eight output channels leave the registers through an in-register transpose to channels-last.
/// Each output adds the bias, then its taps in the order (ky, kx, input channel), as `convolveDirect` does (a tap in the
/// padding adds a zero product), so the result does not depend on the path. `convolve` takes this path only in AVX-512
/// builds: in 8-lane registers the 16 sums would not fit.
enum PixelLaneConvolution {
    /// Up to eight input channels, eight to 64 output channels in groups of eight, stride 1 or 2 and dilation 1, any zero
    /// padding, at least nine taps (one-by-one convolutions are matrix products) and outputs at least 32 pixels wide.
    static func fits(_ geometry: WindowGeometry, inputChannels: Int, outputChannels: Int) -> Bool {
        let rows = geometry.rows, columns = geometry.columns
        return (1...8).contains(inputChannels) && outputChannels % 8 == 0 && (8...64).contains(outputChannels)
            && (1...2).contains(rows.stride) && (1...2).contains(columns.stride) && rows.dilation == 1 && columns.dilation == 1
            && rows.kernel * columns.kernel >= 9 && columns.output >= 32
    }

    /// The input as the kernel reads it: per input channel and per column phase (the padded column's remainder modulo
    /// the stride), the padded rows the windows cover, each holding every stride-th padded column, so that the same tap
    /// of sixteen neighbouring output pixels lies in sixteen neighbouring floats.
    struct Planes {
        let base: UnsafePointer<Float>
        let phases: Int
        let rowLength: Int
        let planeSize: Int

        /// From one input channel's planes to the next's.
        var channelStride: Int { phases * planeSize }

        /// Where padded column `ox · phases + kx` lies, less `ox`: in the phase plane of `kx`, `kx / phases` columns on.
        func columnOffset(ofTap kx: Int) -> Int {
            (kx % phases) * planeSize + kx / phases
        }
    }

    static func planes(_ source: UnsafePointer<Float>, geometry: WindowGeometry, inputChannels: Int, scratch: Scratch) -> Planes {
        let rows = geometry.rows, columns = geometry.columns
        let paddedRows = (rows.output - 1) * rows.stride + rows.kernel
        let paddedColumns = (columns.output - 1) * columns.stride + columns.kernel
        let phases = columns.stride
        let rowLength = (paddedColumns + phases - 1) / phases
        let planeSize = paddedRows * rowLength
        let unpadded = rows.padBefore == 0 && columns.padBefore == 0 && rows.stride == 1 && columns.stride == 1
            && paddedRows == rows.input && paddedColumns == columns.input
        // Without padding or stride, a single channel is its own plane, and eight channels part with in-register transposes.
        if unpadded && inputChannels == 1 {
            return Planes(base: source, phases: 1, rowLength: rowLength, planeSize: planeSize)
        }
        let buffer = scratch.floats(planeSize * phases * inputChannels)
        if unpadded && inputChannels == 8 {
            toPlanes(source, pixels: planeSize, into: buffer)
            return Planes(base: UnsafePointer(buffer), phases: 1, rowLength: rowLength, planeSize: planeSize)
        }
        for ci in 0..<inputChannels {
            for phase in 0..<phases {
                let plane = buffer + (ci * phases + phase) * planeSize
                // Column j of this phase's rows is padded column j · phases + phase: input column j · phases + phase − padBefore.
                let firstX = phase - columns.padBefore
                let firstInside = min(max((-firstX + phases - 1) / phases, 0), rowLength)
                let endInside = min(max((columns.input - firstX + phases - 1) / phases, firstInside), rowLength)
                for row in 0..<paddedRows {
                    let out = plane + row * rowLength
                    let y = row - rows.padBefore
                    guard y >= 0 && y < rows.input else {
                        out.initialize(repeating: 0, count: rowLength)
                        continue
                    }
                    out.initialize(repeating: 0, count: firstInside)
                    var pixel = source + ((y * columns.input + firstX + firstInside * phases) * inputChannels + ci)
                    let step = phases * inputChannels
                    for j in firstInside..<endInside {
                        out[j] = pixel.pointee
                        pixel += step
                    }
                    (out + endInside).initialize(repeating: 0, count: rowLength - endInside)
                }
            }
        }
        return Planes(base: UnsafePointer(buffer), phases: phases, rowLength: rowLength, planeSize: planeSize)
    }

    static func convolve(_ source: UnsafePointer<Float>, geometry: WindowGeometry, inputChannels: Int, matrix: PackedMatrix,
                         into target: UnsafeMutablePointer<Float>, scratch: Scratch, epilogue: Epilogue) {
        let rows = geometry.rows, columns = geometry.columns
        let planes = planes(source, geometry: geometry, inputChannels: inputChannels, scratch: scratch)
        let outputChannels = matrix.columns
        let padded = matrix.paddedColumns
        let channelStride = planes.channelStride
        let columnOffsets = (0..<columns.kernel).map(planes.columnOffset(ofTap:))
        matrix.values.withUnsafeBufferPointer { weightBuffer in
            let weights = weightBuffer.baseAddress!
            let bias = matrix.bias
            for oy in 0..<rows.output {
                let outputRow = target + oy * columns.output * outputChannels
                for group in Swift.stride(from: 0, to: outputChannels, by: 8) {
                    let b0 = Vector16(repeating: bias[group]), b1 = Vector16(repeating: bias[group + 1])
                    let b2 = Vector16(repeating: bias[group + 2]), b3 = Vector16(repeating: bias[group + 3])
                    let b4 = Vector16(repeating: bias[group + 4]), b5 = Vector16(repeating: bias[group + 5])
                    let b6 = Vector16(repeating: bias[group + 6]), b7 = Vector16(repeating: bias[group + 7])
                    var next = 0
                    while next < columns.output {
                        // The last block overlaps the one before it and recomputes the same values.
                        let ox = min(next, columns.output - 32)
                        next = ox + 32
                        var s00 = b0, s10 = b1, s20 = b2, s30 = b3, s40 = b4, s50 = b5, s60 = b6, s70 = b7
                        var s01 = b0, s11 = b1, s21 = b2, s31 = b3, s41 = b4, s51 = b5, s61 = b6, s71 = b7
                        for ky in 0..<rows.kernel {
                            let row = planes.base + (oy * rows.stride + ky) * planes.rowLength + ox
                            for kx in 0..<columns.kernel {
                                let tapPixels = row + columnOffsets[kx]
                                let tap = ky * columns.kernel + kx
                                for ci in 0..<inputChannels {
                                    let pixels = tapPixels + ci &* channelStride
                                    let x0 = load16(pixels), x1 = load16(pixels + 16)
                                    let w = weights + ((tap &* inputChannels &+ ci) &* padded &+ group)
                                    var weight = Vector16(repeating: w[0])
                                    s00 = s00.accumulating(x0, weight); s01 = s01.accumulating(x1, weight)
                                    weight = Vector16(repeating: w[1])
                                    s10 = s10.accumulating(x0, weight); s11 = s11.accumulating(x1, weight)
                                    weight = Vector16(repeating: w[2])
                                    s20 = s20.accumulating(x0, weight); s21 = s21.accumulating(x1, weight)
                                    weight = Vector16(repeating: w[3])
                                    s30 = s30.accumulating(x0, weight); s31 = s31.accumulating(x1, weight)
                                    weight = Vector16(repeating: w[4])
                                    s40 = s40.accumulating(x0, weight); s41 = s41.accumulating(x1, weight)
                                    weight = Vector16(repeating: w[5])
                                    s50 = s50.accumulating(x0, weight); s51 = s51.accumulating(x1, weight)
                                    weight = Vector16(repeating: w[6])
                                    s60 = s60.accumulating(x0, weight); s61 = s61.accumulating(x1, weight)
                                    weight = Vector16(repeating: w[7])
                                    s70 = s70.accumulating(x0, weight); s71 = s71.accumulating(x1, weight)
                                }
                            }
                        }
                        let first = outputRow + ox * outputChannels + group
                        storeChannelsLast((s00, s10, s20, s30, s40, s50, s60, s70), first, pixelStride: outputChannels)
                        storeChannelsLast((s01, s11, s21, s31, s41, s51, s61, s71), first + 16 * outputChannels, pixelStride: outputChannels)
                    }
                }
                if !epilogue.isIdentity {
                    epilogue.apply(to: outputRow, count: columns.output * outputChannels, into: outputRow)
                }
            }
        }
    }

    typealias Eight = (Vector16, Vector16, Vector16, Vector16, Vector16, Vector16, Vector16, Vector16)

    /// Eight channels of sixteen pixels (one vector per channel) written channels-last: pixel p's eight channels at
    /// `target + p · pixelStride`. Interleaving the first half of the 128 values with the second rotates each value's
    /// 7-bit index left by one bit; three rounds turn channel·16 + pixel into pixel·8 + channel.
    @inline(__always)
    static func storeChannelsLast(_ channels: Eight, _ target: UnsafeMutablePointer<Float>, pixelStride: Int) {
        var v = channels
        for _ in 0..<3 {
            let (z0, z1) = zip(v.0, v.4), (z2, z3) = zip(v.1, v.5), (z4, z5) = zip(v.2, v.6), (z6, z7) = zip(v.3, v.7)
            v = (z0, z1, z2, z3, z4, z5, z6, z7)
        }
        // Each vector holds two pixels.
        func store(_ pair: Vector16, _ pixel: Int) {
            UnsafeMutableRawPointer(target + pixel * pixelStride).storeBytes(of: pair.lowHalf, as: Vector8.self)
            UnsafeMutableRawPointer(target + (pixel + 1) * pixelStride).storeBytes(of: pair.highHalf, as: Vector8.self)
        }
        store(v.0, 0); store(v.1, 2); store(v.2, 4); store(v.3, 6); store(v.4, 8); store(v.5, 10); store(v.6, 12); store(v.7, 14)
    }

    /// Channels-last pixels of eight channels into eight planes of `pixels` values each: the inverse of
    /// `storeChannelsLast`, sixteen pixels at a time (the last sixteen overlapping the group before them).
    static func toPlanes(_ source: UnsafePointer<Float>, pixels: Int, into planes: UnsafeMutablePointer<Float>) {
        precondition(pixels >= 16)
        var next = 0
        while next < pixels {
            let first = min(next, pixels - 16)
            next = first + 16
            let p = source + first * 8
            var v: Eight = (load16(p), load16(p + 16), load16(p + 32), load16(p + 48),
                            load16(p + 64), load16(p + 80), load16(p + 96), load16(p + 112))
            for _ in 0..<3 {
                let (e0, o0) = unzip(v.0, v.1), (e1, o1) = unzip(v.2, v.3), (e2, o2) = unzip(v.4, v.5), (e3, o3) = unzip(v.6, v.7)
                v = (e0, e1, e2, e3, o0, o1, o2, o3)
            }
            let out = planes + first
            store16(v.0, out); store16(v.1, out + pixels); store16(v.2, out + 2 * pixels); store16(v.3, out + 3 * pixels)
            store16(v.4, out + 4 * pixels); store16(v.5, out + 5 * pixels); store16(v.6, out + 6 * pixels); store16(v.7, out + 7 * pixels)
        }
    }

    /// `a` and `b` interleaved lane by lane: the first 16 of the 32 values, then the last 16.
    @inline(__always)
    static func zip(_ a: Vector16, _ b: Vector16) -> (Vector16, Vector16) {
        (Vector16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7]),
         Vector16(a[8], b[8], a[9], b[9], a[10], b[10], a[11], b[11], a[12], b[12], a[13], b[13], a[14], b[14], a[15], b[15]))
    }

    /// The even lanes of `a` then of `b`, and the odd lanes of `a` then of `b`.
    @inline(__always)
    static func unzip(_ a: Vector16, _ b: Vector16) -> (Vector16, Vector16) {
        (Vector16(a[0], a[2], a[4], a[6], a[8], a[10], a[12], a[14], b[0], b[2], b[4], b[6], b[8], b[10], b[12], b[14]),
         Vector16(a[1], a[3], a[5], a[7], a[9], a[11], a[13], a[15], b[1], b[3], b[5], b[7], b[9], b[11], b[13], b[15]))
    }
}

/// Dense convolution with the pixels of an output row in the vector lanes, for layers with few channels: the stems of
/// small CNNs (the emotion model's 1→8 and 8→8 3×3 convolutions over 64×64 faces). With eight output channels, a
/// channels-last kernel fills one 8-lane vector per pixel and broadcasts every input value it reads; here sixteen
/// neighbouring pixels of one input channel are one load, each weight is one broadcast shared by 32 pixels, and the
/// sums leave the registers through an in-register transpose to channels-last. Each output adds the bias, then its taps
/// in the order (ky, kx, input channel), as `convolveDirect` does, so the result does not depend on the path.
/// `convolve` takes this path only in AVX-512 builds: in 8-lane registers the 16 sums would not fit.
enum PixelLaneConvolution {
    /// Valid (unpadded) windows, stride and dilation 1, one or eight input channels, eight output channels, and
    /// outputs at least 32 pixels wide.
    static func fits(_ geometry: WindowGeometry, inputChannels: Int, outputChannels: Int) -> Bool {
        let rows = geometry.rows, columns = geometry.columns
        return (inputChannels == 1 || inputChannels == 8) && outputChannels == 8
            && rows.stride == 1 && columns.stride == 1 && rows.dilation == 1 && columns.dilation == 1
            && rows.padBefore == 0 && columns.padBefore == 0
            && rows.output == rows.input - rows.kernel + 1 && columns.output == columns.input - columns.kernel + 1
            && columns.output >= 32
    }

    static func convolve(_ source: UnsafePointer<Float>, geometry: WindowGeometry, inputChannels: Int, matrix: PackedMatrix,
                         into target: UnsafeMutablePointer<Float>, scratch: Scratch, epilogue: Epilogue) {
        let rows = geometry.rows, columns = geometry.columns
        let planeSize = rows.input * columns.input
        // One plane per input channel: a single channel is its own plane.
        let planes: UnsafePointer<Float>
        if inputChannels == 1 {
            planes = source
        } else {
            let buffer = scratch.floats(planeSize * 8)
            toPlanes(source, pixels: planeSize, into: buffer)
            planes = UnsafePointer(buffer)
        }
        let padded = matrix.paddedColumns
        let taps = rows.kernel * columns.kernel
        matrix.values.withUnsafeBufferPointer { weightBuffer in
            let weights = weightBuffer.baseAddress!
            let bias = matrix.bias
            let b0 = Vector16(repeating: bias[0]), b1 = Vector16(repeating: bias[1]), b2 = Vector16(repeating: bias[2])
            let b3 = Vector16(repeating: bias[3]), b4 = Vector16(repeating: bias[4]), b5 = Vector16(repeating: bias[5])
            let b6 = Vector16(repeating: bias[6]), b7 = Vector16(repeating: bias[7])
            for oy in 0..<rows.output {
                let outputRow = target + oy * columns.output * 8
                var next = 0
                while next < columns.output {
                    // The last block overlaps the one before it and recomputes the same values.
                    let ox = min(next, columns.output - 32)
                    next = ox + 32
                    var s00 = b0, s10 = b1, s20 = b2, s30 = b3, s40 = b4, s50 = b5, s60 = b6, s70 = b7
                    var s01 = b0, s11 = b1, s21 = b2, s31 = b3, s41 = b4, s51 = b5, s61 = b6, s71 = b7
                    for tap in 0..<taps {
                        let ky = tap / columns.kernel, kx = tap - ky * columns.kernel
                        let inputOffset = (oy + ky) * columns.input + ox + kx
                        for ci in 0..<inputChannels {
                            let pixels = planes + (ci &* planeSize &+ inputOffset)
                            let x0 = load16(pixels), x1 = load16(pixels + 16)
                            let w = weights + (tap &* inputChannels &+ ci) &* padded
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
                    storeChannelsLast((s00, s10, s20, s30, s40, s50, s60, s70), outputRow + ox * 8)
                    storeChannelsLast((s01, s11, s21, s31, s41, s51, s61, s71), outputRow + (ox + 16) * 8)
                }
                if !epilogue.isIdentity {
                    epilogue.apply(to: outputRow, count: columns.output * 8, into: outputRow)
                }
            }
        }
    }

    typealias Eight = (Vector16, Vector16, Vector16, Vector16, Vector16, Vector16, Vector16, Vector16)

    /// Eight channels of sixteen pixels (one vector per channel) written channels-last: 16 pixels × 8 channels.
    /// Interleaving the first half of the 128 values with the second rotates each value's 7-bit index left by one
    /// bit; three rounds turn channel·16 + pixel into pixel·8 + channel.
    @inline(__always)
    static func storeChannelsLast(_ channels: Eight, _ target: UnsafeMutablePointer<Float>) {
        var v = channels
        for _ in 0..<3 {
            let (z0, z1) = zip(v.0, v.4), (z2, z3) = zip(v.1, v.5), (z4, z5) = zip(v.2, v.6), (z6, z7) = zip(v.3, v.7)
            v = (z0, z1, z2, z3, z4, z5, z6, z7)
        }
        store16(v.0, target); store16(v.1, target + 16); store16(v.2, target + 32); store16(v.3, target + 48)
        store16(v.4, target + 64); store16(v.5, target + 80); store16(v.6, target + 96); store16(v.7, target + 112)
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

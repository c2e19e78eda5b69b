import CFFmpeg

/// GRAY8 frames through a table instead of swscale, where that is byte for byte the same.
///
/// swscale turns an 8-bit YUV frame into GRAY8 through its general scaler (the ffmpeg command's bicubic
/// flags): a horizontal filter that is the identity at the same size, the range conversion, and a vertical
/// output step without dither for 8-bit sources. Each gray byte is then a function of its luma byte alone,
/// which a 256-entry table holds, and reading a frame through the table costs a fraction of the general path.
/// The table is read off swscale itself, never written here: a calibration frame of the stream's format,
/// range and size holding every luma value goes through the same scaler, and the first real frame is
/// converted both ways and compared. Any difference, or a format outside the plain 8-bit YUV ones, leaves
/// the conversion to swscale.
final class LumaTable {
    private struct Key: Equatable {
        let format: Int32
        let range: UInt32
        let width: Int32
        let height: Int32
    }

    private var key: Key?
    /// For the current key: the table, or nil when swscale must convert.
    private var table: [UInt8]? {
        didSet { rule = table.flatMap(AffineLuma.init(table:)) }
    }
    /// The table as arithmetic, when it is one (it is for the ranges swscale converts).
    private var rule: AffineLuma?
    /// The table waits for one real frame to agree with swscale before it is used.
    private var confirmed = false

    var isInUse: Bool { table != nil && confirmed }

    /// The frame's GRAY8 rows (width × height bytes) through the table, or nil when swscale must convert it.
    /// `swscale` converts a frame as the reader otherwise would.
    func gray(of frame: UnsafePointer<AVFrame>, path: String, swscale: (UnsafePointer<AVFrame>) throws -> [UInt8]) throws -> [UInt8]? {
        let key = Key(format: frame.pointee.format, range: frame.pointee.color_range.rawValue,
                      width: frame.pointee.width, height: frame.pointee.height)
        if key != self.key {
            self.key = key
            confirmed = false
            table = Self.isPlainYUV(frame) ? try calibrate(like: frame, path: path, swscale: swscale) : nil
        }
        guard let table else { return nil }
        let gray = apply(table, to: frame)
        if !confirmed {
            guard try swscale(frame) == gray else {
                self.table = nil
                return nil
            }
            confirmed = true
        }
        return gray
    }

    /// 8-bit YUV with its luma alone in plane 0, one byte a pixel, and no alpha (yuv420p, yuvj420p, yuv422p,
    /// yuv444p, nv12, …).
    private static func isPlainYUV(_ frame: UnsafePointer<AVFrame>) -> Bool {
        guard let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: frame.pointee.format)) else { return false }
        let unsupported = UInt64(AV_PIX_FMT_FLAG_RGB) | UInt64(AV_PIX_FMT_FLAG_PAL) | UInt64(AV_PIX_FMT_FLAG_BITSTREAM)
            | UInt64(AV_PIX_FMT_FLAG_ALPHA) | UInt64(AV_PIX_FMT_FLAG_FLOAT) | UInt64(AV_PIX_FMT_FLAG_HWACCEL)
        let luma = descriptor.pointee.comp.0
        return descriptor.pointee.flags & unsupported == 0 && descriptor.pointee.nb_components == 3
            && luma.plane == 0 && luma.step == 1 && luma.offset == 0 && luma.shift == 0 && luma.depth == 8
            && descriptor.pointee.comp.1.depth == 8 && descriptor.pointee.comp.2.depth == 8
            && frame.pointee.width > 0 && frame.pointee.height > 0 && Int(frame.pointee.width) * Int(frame.pointee.height) >= 256
    }

    /// swscale's gray value of every luma value, from a frame like `frame` whose luma runs through all 256
    /// values (chroma at its middle); nil unless each value always gave the same gray byte.
    private func calibrate(like frame: UnsafePointer<AVFrame>, path: String, swscale: (UnsafePointer<AVFrame>) throws -> [UInt8]) throws -> [UInt8]? {
        let sample = try Frame(path: path)
        let target = sample.pointer
        target.pointee.format = frame.pointee.format
        target.pointee.width = frame.pointee.width
        target.pointee.height = frame.pointee.height
        target.pointee.color_range = frame.pointee.color_range
        target.pointee.colorspace = frame.pointee.colorspace
        guard av_frame_get_buffer(target, 0) >= 0, let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: frame.pointee.format)) else {
            return nil
        }
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        let chromaHeight = (height + (1 << Int(descriptor.pointee.log2_chroma_h)) - 1) >> Int(descriptor.pointee.log2_chroma_h)
        let planes = [target.pointee.data.1, target.pointee.data.2]
        let strides = [target.pointee.linesize.1, target.pointee.linesize.2]
        for (plane, stride) in zip(planes, strides) {
            guard let plane else { continue }
            plane.update(repeating: 128, count: Int(stride) * chromaHeight)
        }
        guard let lumaPlane = target.pointee.data.0 else { return nil }
        let lumaStride = Int(target.pointee.linesize.0)
        for y in 0..<height {
            for x in 0..<width { lumaPlane[y * lumaStride + x] = UInt8(truncatingIfNeeded: y * width + x) }
        }
        let gray = try swscale(UnsafePointer(target))
        var table = [UInt8](repeating: 0, count: 256)
        for index in 0..<(width * height) {
            let luma = index & 255
            if index < 256 {
                table[luma] = gray[index]
            } else if table[luma] != gray[index] {
                return nil
            }
        }
        return table
    }

    private func apply(_ table: [UInt8], to frame: UnsafePointer<AVFrame>) -> [UInt8] {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        let stride = Int(frame.pointee.linesize.0)
        let luma = frame.pointee.data.0!
        let rule = self.rule
        return table.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: width * height) { buffer, count in
                for y in 0..<height {
                    let row = luma + y * stride, out = buffer.baseAddress! + y * width
                    if let rule {
                        rule.apply(row, out, count: width)
                    } else {
                        for x in 0..<width { out[x] = table[Int(row[x])] }
                    }
                }
                count = width * height
            }
        }
    }
}

/// A gray table that is `clamp((luma × multiplier + offset) >> shift, 0, 255)` for every one of the 256 luma values,
/// as swscale's range conversions are (it computes them in fixed point): a row then takes a few vector instructions
/// per sixteen or more pixels instead of a table read per pixel. Found from the table itself and checked on all 256
/// values, so a table that is not such a rule keeps the table reads.
struct AffineLuma: Equatable {
    let multiplier: Int32
    let offset: Int32
    let shift: Int32

    init(multiplier: Int32, offset: Int32, shift: Int32) {
        self.multiplier = multiplier
        self.offset = offset
        self.shift = shift
    }

    /// The rule that gives `table`, or nil. For each shift and each multiplier near the table's slope, every
    /// entry bounds the offset from both sides (a clamped entry from one side); any offset left in all those
    /// bounds is the rule's.
    init?(table: [UInt8]) {
        guard table.count == 256 else { return nil }
        let inside = table.indices.filter { table[$0] > 0 && table[$0] < 255 }
        guard let low = inside.first, let high = inside.last, high > low else { return nil }
        let slope = Double(Int(table[high]) - Int(table[low])) / Double(high - low)
        guard slope > 0 else { return nil }
        for shift in 8...16 {
            let unit = Int64(1) << shift
            let estimate = Int64((slope * Double(unit)).rounded())
            for multiplier in max(estimate - 4, 1)...(estimate + 4) {
                var lowest = Int64.min, beyond = Int64.max
                for (luma, gray) in table.enumerated() {
                    let product = Int64(luma) * multiplier
                    if gray > 0 { lowest = max(lowest, Int64(gray) * unit - product) }
                    if gray < 255 { beyond = min(beyond, (Int64(gray) + 1) * unit - product) }
                }
                guard lowest < beyond, let offset = Int32(exactly: lowest), let scaled = Int32(exactly: multiplier),
                      Int64(scaled) * 255 + Int64(offset) < Int64(Int32.max) else { continue }
                let rule = AffineLuma(multiplier: scaled, offset: offset, shift: Int32(shift))
                // Checked through the very loop that converts frames.
                let luma = (0..<256).map { UInt8($0) }
                var gray = [UInt8](repeating: 0, count: 256)
                luma.withUnsafeBufferPointer { source in
                    gray.withUnsafeMutableBufferPointer { rule.apply(source.baseAddress!, $0.baseAddress!, count: 256) }
                }
                if gray == table {
                    self = rule
                    return
                }
            }
        }
        return nil
    }

    /// `count` gray bytes at `target` from as many luma bytes at `source`: a loop the compiler turns into vector
    /// instructions.
    func apply(_ source: UnsafePointer<UInt8>, _ target: UnsafeMutablePointer<UInt8>, count: Int) {
        let multiplier = multiplier, offset = offset, shift = shift
        for index in 0..<count {
            target[index] = UInt8(clamping: (Int32(source[index]) &* multiplier &+ offset) &>> shift)
        }
    }
}

/// Reads FlatBuffers tables from a byte array with every offset and length checked against its bounds: a
/// hostile file gets an error, never an out-of-bounds read. Only what a `.tflite` file needs: tables, their
/// scalars, vectors of scalars and of tables, strings and byte vectors.
struct FlatBuffer {
    let bytes: [UInt8]
    let path: String

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    func malformed(_ what: String) -> TFLiteError { .malformed(path: path, what: what) }

    func check(_ position: Int, _ size: Int, _ what: @autoclosure () -> String) throws {
        guard position >= 0, size >= 0, position <= bytes.count - size else {
            throw malformed("\(what()) at byte \(position) (\(size) bytes) lies outside the file's \(bytes.count) bytes")
        }
    }

    func u8(_ position: Int) throws -> UInt8 {
        try check(position, 1, "a byte")
        return bytes[position]
    }

    func u16(_ position: Int) throws -> UInt16 {
        try check(position, 2, "a 16-bit value")
        return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    func u32(_ position: Int) throws -> UInt32 {
        try check(position, 4, "a 32-bit value")
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[position + $1]) << (8 * UInt32($1)) }
    }

    func i32(_ position: Int) throws -> Int32 { Int32(bitPattern: try u32(position)) }

    func u64(_ position: Int) throws -> UInt64 {
        UInt64(try u32(position)) | UInt64(try u32(position + 4)) << 32
    }

    /// The root table.
    func root() throws -> Table {
        try Table(buffer: self, position: Int(try u32(0)))
    }

    /// A table: its position and the vtable that says where each field lies.
    struct Table {
        let buffer: FlatBuffer
        let position: Int
        private let vtable: Int
        private let vtableSize: Int

        init(buffer: FlatBuffer, position: Int) throws {
            self.buffer = buffer
            self.position = position
            let vtable = position - Int(try buffer.i32(position))
            let size = Int(try buffer.u16(vtable))
            guard size >= 4, size % 2 == 0 else { throw buffer.malformed("a table's field list of \(size) bytes") }
            try buffer.check(vtable, size, "a table's field list")
            self.vtable = vtable
            vtableSize = size
        }

        /// The field's position, or nil when the table leaves it out (its default applies).
        func field(_ index: Int) throws -> Int? {
            let entry = 4 + 2 * index
            guard entry + 2 <= vtableSize else { return nil }
            let offset = Int(try buffer.u16(vtable + entry))
            return offset == 0 ? nil : position + offset
        }

        func int32(_ index: Int, default value: Int32 = 0) throws -> Int32 {
            guard let at = try field(index) else { return value }
            return try buffer.i32(at)
        }

        func uint32(_ index: Int, default value: UInt32 = 0) throws -> UInt32 {
            guard let at = try field(index) else { return value }
            return try buffer.u32(at)
        }

        func uint64(_ index: Int, default value: UInt64 = 0) throws -> UInt64 {
            guard let at = try field(index) else { return value }
            return try buffer.u64(at)
        }

        func uint8(_ index: Int, default value: UInt8 = 0) throws -> UInt8 {
            guard let at = try field(index) else { return value }
            return try buffer.u8(at)
        }

        func bool(_ index: Int) throws -> Bool { try uint8(index) != 0 }

        /// Where an offset field points.
        private func target(_ index: Int) throws -> Int? {
            guard let at = try field(index) else { return nil }
            return at + Int(try buffer.u32(at))
        }

        func table(_ index: Int) throws -> Table? {
            try target(index).map { try Table(buffer: buffer, position: $0) }
        }

        /// A vector's element count and first element's position, checked to fit with `elementSize` bytes each.
        func vector(_ index: Int, elementSize: Int) throws -> (count: Int, start: Int)? {
            guard let at = try target(index) else { return nil }
            let count = Int(try buffer.u32(at))
            guard count <= buffer.bytes.count / max(elementSize, 1) else {
                throw buffer.malformed("a vector of \(count) elements in a file of \(buffer.bytes.count) bytes")
            }
            try buffer.check(at + 4, count * elementSize, "a vector of \(count) elements")
            return (count, at + 4)
        }

        func int32s(_ index: Int) throws -> [Int32] {
            guard let (count, start) = try vector(index, elementSize: 4) else { return [] }
            return try (0..<count).map { try buffer.i32(start + 4 * $0) }
        }

        func bytes(_ index: Int) throws -> ArraySlice<UInt8>? {
            guard let (count, start) = try vector(index, elementSize: 1) else { return nil }
            return buffer.bytes[start..<(start + count)]
        }

        func string(_ index: Int) throws -> String? {
            try bytes(index).map { String(decoding: $0, as: UTF8.self) }
        }

        func tables(_ index: Int) throws -> [Table] {
            guard let (count, start) = try vector(index, elementSize: 4) else { return [] }
            return try (0..<count).map { element in
                let at = start + 4 * element
                return try Table(buffer: buffer, position: at + Int(try buffer.u32(at)))
            }
        }
    }
}

import Foundation

/// A small element tree of an XML document, enough for OpenCV's FileStorage format, read by a parser
/// of its own: iterative (no recursion, so nesting cannot exhaust the stack), bounded in depth and size,
/// and free of the platform XML parser, which crashes on some malformed input (found by `make fuzz`).
///
/// It reads elements, attributes, text with the five named entities and numeric character references,
/// CDATA sections, and skips comments, processing instructions and a DOCTYPE without an internal subset.
final class XMLElement {
    let name: String
    var text = ""
    var children: [XMLElement] = []
    var attributes: [String: String]

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Whitespace-separated finite numbers of the element's text (`nan` and `inf` are not numbers here).
    var numbers: [Double] { text.split(whereSeparator: { $0.isWhitespace }).compactMap { Double($0) }.filter(\.isFinite) }
    var trimmedText: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// OpenCV's cascades nest six levels deep; a document nested deeper than this is refused.
    static let maximumDepth = 64
    /// The largest cascade file read: OpenCV's own are under 2 MB.
    static let maximumBytes = 64 << 20

    static func parse(_ data: Data, path: String) throws -> XMLElement {
        guard data.count <= maximumBytes else {
            throw CascadeError.invalid(path: path, expected: "a cascade file of at most \(maximumBytes) bytes", found: "\(data.count) bytes")
        }
        var parser = XMLReader(bytes: [UInt8](data))
        do {
            return try parser.document()
        } catch let failure as XMLReader.Failure {
            throw CascadeError.malformedXML(path: path, reason: "\(failure.reason) at line \(parser.line())")
        }
    }
}

/// The parser behind `XMLElement.parse`: one pass over the bytes with an explicit stack of open elements.
private struct XMLReader {
    struct Failure: Error { let reason: String }

    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The line of `position`, counted only when an error needs it.
    func line() -> Int { 1 + bytes[..<min(position, bytes.count)].lazy.filter { $0 == UInt8(ascii: "\n") }.count }

    mutating func document() throws -> XMLElement {
        var stack: [XMLElement] = []
        var root: XMLElement?
        var text: [UInt8] = []
        func flushText() throws {
            guard !text.isEmpty else { return }
            defer { text.removeAll(keepingCapacity: true) }
            guard let open = stack.last else {
                guard text.allSatisfy(Self.isSpace) else { throw Failure(reason: "text outside the root element") }
                return
            }
            open.text += try Self.decodeEntities(text)
        }
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == UInt8(ascii: "<") else {
                text.append(byte)
                position += 1
                continue
            }
            if starts(with: "<!--") {
                try skip(past: "-->", what: "comment")
            } else if starts(with: "<?") {
                try skip(past: "?>", what: "processing instruction")
            } else if starts(with: "<![CDATA[") {
                guard !stack.isEmpty else { throw Failure(reason: "CDATA outside the root element") }
                position += 9
                let start = position
                try skip(past: "]]>", what: "CDATA section")
                try flushText()
                stack.last!.text += String(decoding: bytes[start..<(position - 3)], as: UTF8.self)
            } else if starts(with: "<!DOCTYPE") {
                guard root == nil else { throw Failure(reason: "a DOCTYPE after the root element") }
                try skip(past: ">", what: "DOCTYPE")
            } else if starts(with: "</") {
                try flushText()
                position += 2
                let name = try readName()
                skipSpace()
                try expect(">")
                guard let open = stack.popLast() else { throw Failure(reason: "a closing </\(name)> without an opening tag") }
                guard open.name == name else { throw Failure(reason: "</\(name)> closes <\(open.name)>") }
            } else {
                try flushText()
                position += 1
                let name = try readName()
                var attributes: [String: String] = [:]
                while true {
                    skipSpace()
                    guard position < bytes.count else { throw Failure(reason: "the document ends inside <\(name)>") }
                    if bytes[position] == UInt8(ascii: ">") || starts(with: "/>") { break }
                    let attribute = try readName()
                    skipSpace()
                    try expect("=")
                    skipSpace()
                    attributes[attribute] = try readQuoted()
                }
                let selfClosing = starts(with: "/>")
                position += selfClosing ? 2 : 1
                let element = XMLElement(name: name, attributes: attributes)
                if let parent = stack.last {
                    parent.children.append(element)
                } else {
                    guard root == nil else { throw Failure(reason: "a second root element <\(name)>") }
                    root = element
                }
                if !selfClosing {
                    guard stack.count < XMLElement.maximumDepth else {
                        throw Failure(reason: "elements nested more than \(XMLElement.maximumDepth) deep")
                    }
                    stack.append(element)
                }
            }
        }
        try flushText()
        if let open = stack.last { throw Failure(reason: "the document ends before </\(open.name)>") }
        guard let root else { throw Failure(reason: "no root element") }
        return root
    }

    private func starts(with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        return prefix.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
        }
    }

    private mutating func skip(past terminator: StaticString, what: String) throws {
        while position < bytes.count {
            if starts(with: terminator) {
                position += terminator.utf8CodeUnitCount
                return
            }
            position += 1
        }
        throw Failure(reason: "an unterminated \(what)")
    }

    private mutating func skipSpace() {
        while position < bytes.count, Self.isSpace(bytes[position]) {
            position += 1
        }
    }

    private mutating func expect(_ character: Unicode.Scalar) throws {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else {
            throw Failure(reason: "expected '\(character)'")
        }
        position += 1
    }

    private mutating func readName() throws -> String {
        let start = position
        while position < bytes.count, Self.isNameByte(bytes[position]) { position += 1 }
        guard position > start else { throw Failure(reason: "expected a name") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func readQuoted() throws -> String {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") else {
            throw Failure(reason: "expected a quoted attribute value")
        }
        let quote = bytes[position]
        position += 1
        let start = position
        while position < bytes.count, bytes[position] != quote {
            position += 1
        }
        guard position < bytes.count else { throw Failure(reason: "an unterminated attribute value") }
        defer { position += 1 }
        return try Self.decodeEntities(bytes[start..<position])
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") || byte >= 0x80
    }

    /// Text with `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and `&#…;` / `&#x…;` replaced.
    static func decodeEntities<Bytes: Collection>(_ text: Bytes) throws -> String where Bytes.Element == UInt8 {
        guard text.contains(UInt8(ascii: "&")) else { return String(decoding: text, as: UTF8.self) }
        var result = ""
        var rest = Substring(String(decoding: text, as: UTF8.self))
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            guard let semicolon = rest[ampersand...].firstIndex(of: ";"), rest.distance(from: ampersand, to: semicolon) <= 10 else {
                throw Failure(reason: "an unterminated entity reference")
            }
            let entity = rest[rest.index(after: ampersand)..<semicolon]
            switch entity {
            case "lt": result += "<"
            case "gt": result += ">"
            case "amp": result += "&"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let value: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    value = UInt32(entity.dropFirst(2), radix: 16)
                } else if entity.hasPrefix("#") {
                    value = UInt32(entity.dropFirst(), radix: 10)
                } else {
                    value = nil
                }
                guard let value, let scalar = Unicode.Scalar(value) else { throw Failure(reason: "an unknown entity '&\(entity);'") }
                result.unicodeScalars.append(scalar)
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }
}

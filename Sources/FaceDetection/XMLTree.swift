import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small element tree of an XML document, enough for OpenCV's FileStorage format.
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

    /// OpenCV's cascades nest six levels deep; a document nested deeper than this is refused while parsing
    /// (a tree 100,000 levels deep would overflow the stack when it is freed).
    static let maximumDepth = 64
    /// The largest cascade file read: OpenCV's own are under 2 MB.
    static let maximumBytes = 64 << 20

    static func parse(_ data: Data, path: String) throws -> XMLElement {
        guard data.count <= maximumBytes else {
            throw CascadeError.invalid(path: path, expected: "a cascade file of at most \(maximumBytes) bytes", found: "\(data.count) bytes")
        }
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        let parsed = parser.parse()
        if builder.tooDeep {
            throw CascadeError.invalid(path: path, expected: "elements nested at most \(maximumDepth) deep", found: "deeper nesting")
        }
        guard parsed, let root = builder.root else {
            let line = parser.lineNumber
            let reason = parser.parserError.map { "\($0.localizedDescription) at line \(line)" } ?? "no root element"
            throw CascadeError.malformedXML(path: path, reason: reason)
        }
        return root
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var root: XMLElement?
        var stack: [XMLElement] = []
        var tooDeep = false

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            guard stack.count < XMLElement.maximumDepth else {
                tooDeep = true
                parser.abortParsing()
                return
            }
            let element = XMLElement(name: elementName, attributes: attributes)
            stack.last?.children.append(element)
            if root == nil { root = element }
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            if !stack.isEmpty { stack.removeLast() }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}

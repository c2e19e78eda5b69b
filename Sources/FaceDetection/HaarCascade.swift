import Foundation

/// A boosted Haar cascade in OpenCV's XML format (`opencv_storage` / `cascade`, stageType BOOST,
/// featureType HAAR), held in flat arrays: stages → weak trees → nodes and leaves, features as rectangles.
///
/// Numbers are kept exactly as OpenCV's loader keeps them (`CascadeClassifierImpl::Data::read`):
/// thresholds and leaves as Float, a stage threshold lowered by 1e-5 in Float arithmetic.
public struct HaarCascade: Sendable {
    struct Stage: Sendable {
        let threshold: Float
        let firstTree: Int
        let treeCount: Int
    }

    /// One internalNodes node: `left`/`right` > 0 index further nodes of the tree, ≤ 0 index leaves (`-value`).
    struct Node: Sendable {
        let left: Int
        let right: Int
        let feature: Int
        let threshold: Float
    }

    struct Tree: Sendable {
        let firstNode: Int
        let nodeCount: Int
        let firstLeaf: Int
    }

    /// Up to three weighted rectangles in window coordinates.
    struct Feature: Sendable {
        struct WeightedRect: Sendable {
            let x: Int, y: Int, width: Int, height: Int
            let weight: Float
        }
        let rects: [WeightedRect]
    }

    public let path: String
    public let windowWidth: Int
    public let windowHeight: Int
    let stages: [Stage]
    let trees: [Tree]
    let nodes: [Node]
    let leaves: [Float]
    let features: [Feature]
    /// Every tree is a single node (a stump): the detector's fast path.
    var isStumpBased: Bool { trees.allSatisfy { $0.nodeCount == 1 } }
    public var stageCount: Int { stages.count }
    public var weakClassifierCount: Int { trees.count }

    public init(path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a regular file" : "no such file"
            throw CascadeError.unreadable(path: path, reason: reason)
        }
        try self.init(xml: data, path: path)
    }

    /// A cascade from XML already in memory; `path` names it in errors. Not public: `HaarFaceDetector`
    /// fingerprints a cascade by its file.
    package init(xml data: Data, path: String) throws {
        let root = try XMLElement.parse(data, path: path)
        guard root.name == "opencv_storage" else {
            throw CascadeError.invalid(path: path, expected: "an <opencv_storage> document", found: "<\(root.name)>")
        }
        guard let cascade = root.children.first else {
            throw CascadeError.invalid(path: path, expected: "a cascade inside <opencv_storage>", found: "an empty document")
        }
        func required(_ element: XMLElement, _ name: String) throws -> XMLElement {
            guard let child = element.child(name) else {
                throw CascadeError.invalid(path: path, expected: "a <\(name)> element in <\(element.name)>", found: "none")
            }
            return child
        }
        if cascade.child("stageType") == nil, cascade.child("size") != nil {
            try self.init(haartraining: cascade, path: path, required: required)
            return
        }
        let stageType = try required(cascade, "stageType").trimmedText
        guard stageType == "BOOST" else {
            throw CascadeError.unsupported(path: path, expected: "stageType BOOST", found: "'\(stageType)'")
        }
        let featureType = try required(cascade, "featureType").trimmedText
        guard featureType == "HAAR" else {
            throw CascadeError.unsupported(path: path, expected: "featureType HAAR (facemood runs Haar cascades only)",
                                           found: "'\(featureType)'")
        }
        guard let width = try required(cascade, "width").numbers.first.flatMap(Self.windowSide),
              let height = try required(cascade, "height").numbers.first.flatMap(Self.windowSide) else {
            throw CascadeError.invalid(path: path, expected: "a window width and height of 3 to \(Self.largestWindow) pixels", found: "other values")
        }
        let categories = cascade.child("featureParams")?.child("maxCatCount")?.numbers.first ?? 0
        guard categories == 0 else {
            throw CascadeError.unsupported(path: path, expected: "ordered (numeric) splits", found: "categorical features (maxCatCount \(categories))")
        }

        var features: [Feature] = []
        for (index, element) in try required(cascade, "features").children.enumerated() {
            if let tilted = element.child("tilted"), (tilted.numbers.first ?? 0) != 0 {
                throw CascadeError.unsupported(path: path, expected: "upright Haar features",
                                               found: "a tilted (45°) feature, #\(index); facemood does not evaluate tilted features")
            }
            features.append(try Self.feature(try required(element, "rects"), window: (width, height), place: "feature #\(index)",
                                             dropsEmptyThird: false, path: path))
        }
        guard !features.isEmpty else {
            throw CascadeError.invalid(path: path, expected: "at least one feature", found: "none")
        }

        var stages: [Stage] = [], trees: [Tree] = [], nodes: [Node] = [], leaves: [Float] = []
        for (stageIndex, stageElement) in try required(cascade, "stages").children.enumerated() {
            let (stage, weak) = try Self.stage(stageElement, index: stageIndex, threshold: "stageThreshold", weak: "weakClassifiers",
                                               firstTree: trees.count, path: path, required: required)
            stages.append(stage)
            for (treeIndex, treeElement) in weak.enumerated() {
                let internalNodes = try required(treeElement, "internalNodes").numbers
                let leafValues = try required(treeElement, "leafValues").numbers
                let place = "stage \(stageIndex), tree \(treeIndex)"
                guard !internalNodes.isEmpty, internalNodes.count % 4 == 0 else {
                    throw CascadeError.invalid(path: path, expected: "internal nodes of 4 numbers (left right feature threshold) in \(place)",
                                               found: "\(internalNodes.count) numbers")
                }
                let nodeCount = internalNodes.count / 4
                guard leafValues.count == nodeCount + 1 else {
                    throw CascadeError.invalid(path: path, expected: "\(nodeCount + 1) leaf values in \(place)", found: "\(leafValues.count)")
                }
                trees.append(Tree(firstNode: nodes.count, nodeCount: nodeCount, firstLeaf: leaves.count))
                for n in 0..<nodeCount {
                    guard let left = Self.index(internalNodes[4 * n]), let right = Self.index(internalNodes[4 * n + 1]),
                          let feature = Self.index(internalNodes[4 * n + 2]) else {
                        throw CascadeError.invalid(path: path, expected: "whole-number node and feature indices in \(place)",
                                                   found: "\(internalNodes[(4 * n)..<(4 * n + 3)].map { String($0) }.joined(separator: " "))")
                    }
                    let node = Node(left: left, right: right, feature: feature, threshold: Float(internalNodes[4 * n + 3]))
                    guard node.feature >= 0, node.feature < features.count else {
                        throw CascadeError.invalid(path: path, expected: "feature indices below \(features.count) in \(place)",
                                                   found: "\(node.feature)")
                    }
                    for child in [node.left, node.right] where child > 0 ? child >= nodeCount : -child > nodeCount {
                        throw CascadeError.invalid(path: path, expected: "child indices within the tree in \(place)", found: "\(child)")
                    }
                    nodes.append(node)
                }
                leaves.append(contentsOf: leafValues.map { Float($0) })
            }
        }
        try self.init(path: path, window: (width, height), stages: stages, trees: trees, nodes: nodes, leaves: leaves, features: features)
    }

    /// OpenCV's cascades use windows of 20 to 24 pixels; this bound keeps every window computation small.
    static let largestWindow = 1024

    static func windowSide(_ value: Double) -> Int? {
        guard let side = index(value), (3...largestWindow).contains(side) else { return nil }
        return side
    }

    /// A whole number that fits a node, feature or rectangle index (nil for fractions and for 1e30).
    static func index(_ value: Double) -> Int? {
        guard value.rounded() == value, abs(value) <= Double(Int32.max) else { return nil }
        return Int(value)
    }

    private init(path: String, window: (Int, Int), stages: [Stage], trees: [Tree], nodes: [Node], leaves: [Float],
                 features: [Feature]) throws {
        guard !stages.isEmpty else {
            throw CascadeError.invalid(path: path, expected: "at least one stage", found: "none")
        }
        self.path = path
        (windowWidth, windowHeight) = window
        self.stages = stages
        self.trees = trees
        self.nodes = nodes
        self.leaves = leaves
        self.features = features
    }

    /// A stage's threshold (lowered by 1e-5 in Float, as OpenCV does) and its weak classifiers.
    private static func stage(_ element: XMLElement, index: Int, threshold: String, weak: String, firstTree: Int, path: String,
                              required: (XMLElement, String) throws -> XMLElement) throws -> (Stage, [XMLElement]) {
        guard let value = try required(element, threshold).numbers.first else {
            throw CascadeError.invalid(path: path, expected: "a numeric \(threshold) in stage \(index)", found: "none")
        }
        let classifiers = try required(element, weak).children
        guard !classifiers.isEmpty else {
            throw CascadeError.invalid(path: path, expected: "\(weak) in stage \(index)", found: "none")
        }
        return (Stage(threshold: Float(value) - Float(1e-5), firstTree: firstTree, treeCount: classifiers.count), classifiers)
    }

    /// A feature's 1 to 3 rectangles (`x y width height weight`), each inside the window. The haartraining
    /// converter drops a third rectangle whose weight is zero.
    private static func feature(_ rectsElement: XMLElement, window: (width: Int, height: Int), place: String,
                                dropsEmptyThird: Bool, path: String) throws -> Feature {
        var rects: [Feature.WeightedRect] = []
        for (index, rect) in rectsElement.children.enumerated() {
            let values = rect.numbers
            guard values.count == 5 else {
                throw CascadeError.invalid(path: path, expected: "rectangles of 5 numbers (x y width height weight) in \(place)",
                                           found: "\(values.count)")
            }
            guard let x = Self.index(values[0]), let y = Self.index(values[1]), let width = Self.index(values[2]), let height = Self.index(values[3]) else {
                throw CascadeError.invalid(path: path, expected: "whole-number rectangles in \(place)",
                                           found: values.prefix(4).map { String($0) }.joined(separator: " "))
            }
            let r = Feature.WeightedRect(x: x, y: y, width: width, height: height, weight: Float(values[4]))
            if dropsEmptyThird && index >= 2 && abs(r.weight) < Float.ulpOfOne { break }
            guard r.x >= 0, r.y >= 0, r.width >= 0, r.height >= 0, r.x + r.width <= window.width, r.y + r.height <= window.height else {
                throw CascadeError.invalid(path: path, expected: "feature rectangles inside the \(window.width)x\(window.height) window",
                                           found: "(\(r.x), \(r.y), \(r.width), \(r.height)) in \(place)")
            }
            rects.append(r)
        }
        guard (1...3).contains(rects.count) else {
            throw CascadeError.invalid(path: path, expected: "1 to 3 rectangles in \(place)", found: "\(rects.count)")
        }
        return Feature(rects: rects)
    }

    /// The older haartraining format (`<size>`, `<stages>` of `<trees>` whose nodes carry their feature),
    /// converted as OpenCV's loader converts it before reading: one feature per node, leaves numbered in
    /// the order they appear, a third rectangle dropped when its weight is zero.
    private init(haartraining cascade: XMLElement, path: String, required: (XMLElement, String) throws -> XMLElement) throws {
        let size = try required(cascade, "size").numbers
        guard size.count == 2, let width = Self.windowSide(size[0]), let height = Self.windowSide(size[1]) else {
            throw CascadeError.invalid(path: path, expected: "a <size> of two whole numbers from 3 to \(Self.largestWindow)", found: "\(size)")
        }
        var stages: [Stage] = [], trees: [Tree] = [], nodes: [Node] = [], leaves: [Float] = [], features: [Feature] = []
        for (stageIndex, stageElement) in try required(cascade, "stages").children.enumerated() {
            let (stage, weak) = try Self.stage(stageElement, index: stageIndex, threshold: "stage_threshold", weak: "trees",
                                               firstTree: trees.count, path: path, required: required)
            stages.append(stage)
            for (treeIndex, treeElement) in weak.enumerated() {
                let place = "stage \(stageIndex), tree \(treeIndex)"
                let treeNodes = treeElement.children
                guard !treeNodes.isEmpty else {
                    throw CascadeError.invalid(path: path, expected: "nodes in \(place)", found: "none")
                }
                let firstLeaf = leaves.count
                trees.append(Tree(firstNode: nodes.count, nodeCount: treeNodes.count, firstLeaf: firstLeaf))
                for nodeElement in treeNodes {
                    let featureElement = try required(nodeElement, "feature")
                    if (featureElement.child("tilted")?.numbers.first ?? 0) != 0 {
                        throw CascadeError.unsupported(path: path, expected: "upright Haar features",
                                                       found: "a tilted (45°) feature in \(place); facemood does not evaluate tilted features")
                    }
                    let feature = try Self.feature(try required(featureElement, "rects"), window: (width, height), place: place,
                                                   dropsEmptyThird: true, path: path)
                    guard let threshold = try required(nodeElement, "threshold").numbers.first else {
                        throw CascadeError.invalid(path: path, expected: "a numeric threshold in \(place)", found: "none")
                    }
                    func branch(value: String, node: String) throws -> Int {
                        if let leaf = nodeElement.child(value)?.numbers.first {
                            leaves.append(Float(leaf))
                            return -(leaves.count - 1 - firstLeaf)
                        }
                        guard let next = nodeElement.child(node)?.numbers.first.flatMap(Self.index), next > 0, next < treeNodes.count else {
                            throw CascadeError.invalid(path: path, expected: "<\(value)> or a valid <\(node)> in \(place)", found: "neither")
                        }
                        return next
                    }
                    let left = try branch(value: "left_val", node: "left_node")
                    let right = try branch(value: "right_val", node: "right_node")
                    nodes.append(Node(left: left, right: right, feature: features.count, threshold: Float(threshold)))
                    features.append(feature)
                }
            }
        }
        try self.init(path: path, window: (width, height), stages: stages, trees: trees, nodes: nodes, leaves: leaves, features: features)
    }
}

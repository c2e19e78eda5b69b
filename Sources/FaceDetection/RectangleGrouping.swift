import Imaging

/// OpenCV's `groupRectangles(rects, groupThreshold, eps)`: candidates are joined into classes when
/// "similar" (every edge within `eps · (min(w1,w2) + min(h1,h2)) / 2`, transitively), each class is
/// averaged (`round(sum · (1/n))` in Float, half to even), classes with `n <= groupThreshold` are dropped,
/// and so is a class lying inside another (grown by `round(eps · size)`) when the other has
/// `n2 > max(3, n1)` or `n1 < 3`. A threshold of 0 or less returns the candidates unchanged.
public func groupRectangles(_ rectangles: [FaceBox], threshold: Int, eps: Double = 0.2) -> [FaceBox] {
    guard threshold > 0, !rectangles.isEmpty else { return rectangles }
    let labels = similarityClasses(rectangles, eps: eps)
    let classCount = (labels.max() ?? -1) + 1
    var sums = [FaceBox](repeating: FaceBox(x: 0, y: 0, width: 0, height: 0), count: classCount)
    var counts = [Int](repeating: 0, count: classCount)
    for (rect, label) in zip(rectangles, labels) {
        sums[label].x += rect.x
        sums[label].y += rect.y
        sums[label].width += rect.width
        sums[label].height += rect.height
        counts[label] += 1
    }
    let averages = (0..<classCount).map { index -> FaceBox in
        let s = 1 / Float(counts[index])
        func average(_ total: Int) -> Int { Int((Float(total) * s).rounded(.toNearestOrEven)) }
        return FaceBox(x: average(sums[index].x), y: average(sums[index].y),
                       width: average(sums[index].width), height: average(sums[index].height))
    }
    var result: [FaceBox] = []
    for i in 0..<classCount where counts[i] > threshold {
        let r1 = averages[i], n1 = counts[i]
        var nested = false
        for j in 0..<classCount where j != i && counts[j] > threshold {
            let r2 = averages[j], n2 = counts[j]
            let dx = Int((Double(r2.width) * eps).rounded(.toNearestOrEven))
            let dy = Int((Double(r2.height) * eps).rounded(.toNearestOrEven))
            if r1.x >= r2.x - dx && r1.y >= r2.y - dy && r1.x + r1.width <= r2.x + r2.width + dx
                && r1.y + r1.height <= r2.y + r2.height + dy && (n2 > max(3, n1) || n1 < 3) {
                nested = true
                break
            }
        }
        if !nested { result.append(r1) }
    }
    return result
}

/// OpenCV's similarity classes for `groupRectangles` (every edge within `eps · (min(w1,w2) + min(h1,h2)) / 2`,
/// transitively), numbered in order of the classes' first members. Only pairs whose left edges lie within `eps · (w + h) / 2` of
/// each other can be similar, since the pair's tolerance is at most that of either member; so the pairs are taken
/// in order of left edge, each rectangle against the following ones until their edges lie further apart. A tracking
/// search gathers hundreds of windows on one face, and comparing every pair was a sixth of its time.
func similarityClasses(_ rectangles: [FaceBox], eps: Double) -> [Int] {
    var classes = DisjointSets(count: rectangles.count)
    let byLeftEdge = rectangles.indices.sorted { rectangles[$0].x < rectangles[$1].x }
    for (position, i) in byLeftEdge.enumerated() {
        let a = rectangles[i]
        let reach = eps * Double(a.width + a.height) * 0.5
        for j in byLeftEdge[(position + 1)...] {
            let b = rectangles[j]
            if Double(b.x - a.x) > reach { break }
            guard !classes.joined(i, j) else { continue }
            let delta = eps * Double(min(a.width, b.width) + min(a.height, b.height)) * 0.5
            if Double(abs(a.x - b.x)) <= delta && Double(abs(a.y - b.y)) <= delta
                && Double(abs(a.x + a.width - b.x - b.width)) <= delta && Double(abs(a.y + a.height - b.y - b.height)) <= delta {
                classes.join(i, j)
            }
        }
    }
    return classes.labels()
}

/// Union–find over `0..<count`: which items are joined, transitively. A struct, so its array is not a captured
/// variable whose every access the runtime checks for exclusivity.
struct DisjointSets {
    private var parent: [Int]

    init(count: Int) {
        parent = Array(0..<count)
    }

    private mutating func root(_ index: Int) -> Int {
        var node = index
        while parent[node] != node {
            parent[node] = parent[parent[node]]
            node = parent[node]
        }
        return node
    }

    mutating func joined(_ a: Int, _ b: Int) -> Bool {
        root(a) == root(b)
    }

    mutating func join(_ a: Int, _ b: Int) {
        let rootA = root(a), rootB = root(b)
        if rootA != rootB { parent[max(rootA, rootB)] = min(rootA, rootB) }
    }

    /// Each item's class, numbered in order of the classes' first items.
    mutating func labels() -> [Int] {
        var labelOfRoot = [Int](repeating: -1, count: parent.count)
        var count = 0
        return parent.indices.map { index in
            let r = root(index)
            if labelOfRoot[r] < 0 {
                labelOfRoot[r] = count
                count += 1
            }
            return labelOfRoot[r]
        }
    }
}

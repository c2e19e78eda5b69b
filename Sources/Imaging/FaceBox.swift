/// A detected face: an axis-aligned box in image pixels.
public struct FaceBox: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var area: Int { width * height }

    /// Intersection over union with `other` (0 when either is empty).
    public func intersectionOverUnion(_ other: FaceBox) -> Double {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(x + width, other.x + other.width), bottom = min(y + height, other.y + other.height)
        let intersection = max(0, right - left) * max(0, bottom - top)
        let union = area + other.area - intersection
        return union > 0 ? Double(intersection) / Double(union) : 0
    }

    /// The part of the box inside a `width`×`height` image, or nil when nothing is inside.
    public func clipped(width imageWidth: Int, height imageHeight: Int) -> FaceBox? {
        let left = max(x, 0), top = max(y, 0)
        let right = min(x + width, imageWidth), bottom = min(y + height, imageHeight)
        guard right > left, bottom > top else { return nil }
        return FaceBox(x: left, y: top, width: right - left, height: bottom - top)
    }

    public var description: String { "[\(x),\(y),\(width),\(height)]" }
}

extension Array where Element == FaceBox {
    /// Largest area first; equal areas keep a stable, position-based order (top, then left).
    public func sortedByArea() -> [FaceBox] {
        sorted { a, b in
            if a.area != b.area { return a.area > b.area }
            if a.y != b.y { return a.y < b.y }
            if a.x != b.x { return a.x < b.x }
            return a.width < b.width
        }
    }
}

import Imaging

/// Draws what a frame's analysis found: a box around the analysed face with its emotion and confidence
/// above it, and a semi-transparent panel (top left) with one bar and percentage per class, model order.
/// Sizes follow the frame's shorter side so the drawing reads the same from 360p to 1080p.
public final class EmotionOverlay {
    /// What to draw for one frame.
    public struct Annotation: Sendable {
        public var box: FaceBox?
        public var emotion: String?
        public var probabilities: [Double]?

        public init(box: FaceBox?, emotion: String?, probabilities: [Double]?) {
            self.box = box
            self.emotion = emotion
            self.probabilities = probabilities
        }
    }

    public let labels: [String]
    private let font: FontRenderer

    /// One colour per class, cycling for more than eight classes.
    public static let palette: [Color] = [
        Color(230, 60, 50), Color(140, 200, 60), Color(150, 90, 210), Color(250, 200, 40),
        Color(60, 130, 230), Color(250, 130, 30), Color(200, 200, 200), Color(40, 200, 190),
    ]

    public init(labels: [String], font: FontRenderer) {
        self.labels = labels
        self.font = font
    }

    public func color(ofLabel index: Int) -> Color { Self.palette[index % Self.palette.count] }

    /// Thickness of the face box for a frame of this size.
    /// At least 3 pixels, so that every stroke holds a whole 2×2 block of the encoder's subsampled colour.
    public static func boxThickness(width: Int, height: Int) -> Int { max(3, min(width, height) / 120) }

    public func draw(_ annotation: Annotation, on image: inout RGBImage) {
        let layout = self.layout(width: image.width, height: image.height)
        let textSize = layout.textSize
        if let box = annotation.box, let emotion = annotation.emotion, let probabilities = annotation.probabilities {
            let index = labels.firstIndex(of: emotion) ?? 0
            let color = self.color(ofLabel: index)
            let thickness = Self.boxThickness(width: image.width, height: image.height)
            image.strokeRectangle(x: box.x, y: box.y, width: box.width, height: box.height, thickness: thickness, color: color)
            let caption = "\(emotion) \(Int((probabilities[index] * 100).rounded()))%"
            let padding = max(2, textSize / 4)
            let captionHeight = textSize + 2 * padding
            let captionTop = box.y - captionHeight >= 0 ? box.y - captionHeight : box.y + box.height
            image.fill(x: box.x, y: captionTop, width: font.width(of: caption, size: textSize) + 2 * padding, height: captionHeight, color: color)
            font.draw(caption, x: box.x + padding, baseline: captionTop + padding + textSize * 4 / 5, size: textSize, color: .black, into: &image)
        }
        drawPanel(annotation, on: &image, layout: layout)
    }

    /// The panel's rectangle on a frame of this size (top left); nothing else is drawn without a face.
    public func panelArea(width: Int, height: Int) -> FaceBox {
        let layout = self.layout(width: width, height: height)
        return FaceBox(x: layout.margin, y: layout.margin, width: layout.width, height: layout.height)
    }

    /// Sizes for one frame size, which a video keeps: measured once, not on every frame.
    private struct Layout {
        var frameWidth: Int, frameHeight: Int
        var textSize: Int, margin: Int, rowHeight: Int, labelWidth: Int, barWidth: Int, width: Int, height: Int
    }

    private var lastLayout: Layout?

    private func layout(width frameWidth: Int, height frameHeight: Int) -> Layout {
        if let last = lastLayout, last.frameWidth == frameWidth, last.frameHeight == frameHeight { return last }
        let unit = Double(min(frameWidth, frameHeight)) / 360
        let textSize = max(11, Int((13 * unit).rounded()))
        let margin = max(4, Int(6 * unit))
        let rowHeight = textSize + max(3, textSize / 3)
        let labelWidth = labels.map { font.width(of: $0, size: textSize) }.max() ?? 0
        let barWidth = max(40, Int(70 * unit))
        let percentWidth = font.width(of: "100%", size: textSize)
        let layout = Layout(frameWidth: frameWidth, frameHeight: frameHeight, textSize: textSize, margin: margin, rowHeight: rowHeight,
                            labelWidth: labelWidth, barWidth: barWidth, width: margin * 4 + labelWidth + barWidth + percentWidth,
                            height: margin * 2 + rowHeight * labels.count)
        lastLayout = layout
        return layout
    }

    private func drawPanel(_ annotation: Annotation, on image: inout RGBImage, layout: Layout) {
        let margin = layout.margin, rowHeight = layout.rowHeight, labelWidth = layout.labelWidth, barWidth = layout.barWidth
        let panelWidth = layout.width, panelHeight = layout.height, textSize = layout.textSize
        image.fill(x: margin, y: margin, width: panelWidth, height: panelHeight, color: .black, alpha: 150)
        for (index, label) in labels.enumerated() {
            let top = margin * 2 + index * rowHeight
            let baseline = top + textSize * 4 / 5
            font.draw(label, x: margin * 2, baseline: baseline, size: textSize, color: .white, into: &image)
            let barLeft = margin * 3 + labelWidth
            let barTop = top + rowHeight / 6, barHeight = max(3, rowHeight * 2 / 3 - 1)
            image.fill(x: barLeft, y: barTop, width: barWidth, height: barHeight, color: Color(90, 90, 90), alpha: 200)
            if let probability = annotation.probabilities?[index] {
                let filled = Int((Double(barWidth) * probability).rounded())
                image.fill(x: barLeft, y: barTop, width: filled, height: barHeight, color: color(ofLabel: index))
                font.draw("\(Int((probability * 100).rounded()))%", x: barLeft + barWidth + margin, baseline: baseline, size: textSize,
                          color: .white, into: &image)
            }
        }
        if annotation.probabilities == nil {
            let text = "no face"
            let width = font.width(of: text, size: textSize + 2)
            let x = margin + (panelWidth - width) / 2
            let y = margin + panelHeight / 2 + textSize / 2
            font.draw(text, x: x, baseline: y, size: textSize + 2, color: Color(255, 230, 120), into: &image)
        }
    }
}

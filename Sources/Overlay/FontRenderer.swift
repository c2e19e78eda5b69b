import CFreeType
import Imaging

/// Anti-aliased text from a TrueType font through FreeType: the only code that calls FreeType.
/// Glyph coverage bitmaps are cached per character and pixel size.
public final class FontRenderer {
    public enum FontError: Error, Equatable, CustomStringConvertible {
        case cannotLoad(path: String, code: Int32)

        public var description: String {
            switch self {
            case let .cannotLoad(path, code): return "\(path): expected a TrueType font, but FreeType cannot load it (error \(code))"
            }
        }
    }

    struct Glyph {
        let width: Int, height: Int
        let left: Int, top: Int
        let advance: Int
        let coverage: [UInt8]
    }

    private let library: FT_Library
    private let face: FT_Face
    private var cache: [Int: [Character: Glyph]] = [:]

    /// DejaVu Sans Bold from Debian's fonts-dejavu-core (installed by `make deps`).
    public static let defaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

    public init(fontPath: String = FontRenderer.defaultFontPath) throws {
        var library: FT_Library?
        let initCode = FT_Init_FreeType(&library)
        guard initCode == 0, let library else { throw FontError.cannotLoad(path: fontPath, code: initCode) }
        var face: FT_Face?
        let code = FT_New_Face(library, fontPath, 0, &face)
        guard code == 0, let face else {
            FT_Done_FreeType(library)
            throw FontError.cannotLoad(path: fontPath, code: code)
        }
        self.library = library
        self.face = face
    }

    deinit {
        FT_Done_Face(face)
        FT_Done_FreeType(library)
    }

    func glyph(_ character: Character, size: Int) -> Glyph? {
        if let glyph = cache[size]?[character] { return glyph }
        FT_Set_Pixel_Sizes(face, 0, FT_UInt(size))
        guard let scalar = character.unicodeScalars.first,
              FT_Load_Char(face, FT_ULong(scalar.value), cfreetype_load_render()) == 0, let slot = face.pointee.glyph else { return nil }
        let bitmap = slot.pointee.bitmap
        let width = Int(bitmap.width), height = Int(bitmap.rows), pitch = Int(bitmap.pitch)
        var coverage = [UInt8](repeating: 0, count: width * height)
        if let buffer = bitmap.buffer, width > 0 {
            for row in 0..<height {
                for column in 0..<width { coverage[row * width + column] = buffer[row * pitch + column] }
            }
        }
        let glyph = Glyph(width: width, height: height, left: Int(slot.pointee.bitmap_left), top: Int(slot.pointee.bitmap_top),
                          advance: Int(slot.pointee.advance.x) / 64, coverage: coverage)
        cache[size, default: [:]][character] = glyph
        return glyph
    }

    /// Width of `text` in pixels at `size`.
    public func width(of text: String, size: Int) -> Int {
        text.reduce(0) { $0 + (glyph($1, size: size)?.advance ?? 0) }
    }

    /// Draws `text` with its baseline at `baseline` and its left edge at `x`, blending `color` by coverage.
    public func draw(_ text: String, x: Int, baseline: Int, size: Int, color: Color, into image: inout RGBImage) {
        var pen = x
        for character in text {
            guard let glyph = glyph(character, size: size) else { continue }
            let originX = pen + glyph.left, originY = baseline - glyph.top
            for row in 0..<glyph.height {
                for column in 0..<glyph.width {
                    let alpha = glyph.coverage[row * glyph.width + column]
                    if alpha > 0 { image.blend(x: originX + column, y: originY + row, color: color, alpha: Int(alpha)) }
                }
            }
            pen += glyph.advance
        }
    }
}

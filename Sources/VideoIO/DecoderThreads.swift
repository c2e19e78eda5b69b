/// How many threads a decoder runs.
public enum DecoderThreads: Sendable, Equatable {
    /// FFmpeg's choice: for most codecs one thread per core and one more, each decoding a frame of its own.
    case automatic
    /// The reading thread alone.
    case single

    /// The largest frame decoded on the reading thread alone beside work that keeps every core busy (960×540).
    public static let largestSingleThreadedFrame = 960 * 540

    /// The threads for decoding `width`×`height` frames beside `busyThreads` threads of other work on `cores` cores (FFmpeg's
    /// when the size is unknown).
    ///
    /// Frame threading hands every frame from thread to thread, a cost per frame that small frames do not repay
    /// once the other work keeps every core busy. Measured on a 2-core machine, the default analysis (two workers)
    /// with a single-threaded decoder against FFmpeg's three threads: 640×360 and 960×540 H.264 5–8% faster,
    /// 960×540 HEVC the same, 1280×720 H.264 5% slower, 1920×1080 H.264 40% slower (decoding is then the slowest
    /// stage, and its threads are what keep up).
    public static func beside(busyThreads: Int, cores: Int, width: Int, height: Int) -> DecoderThreads {
        busyThreads >= cores && width > 0 && height > 0 && width * height <= largestSingleThreadedFrame ? .single : .automatic
    }
}

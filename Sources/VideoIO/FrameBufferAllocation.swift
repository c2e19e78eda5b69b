import CAllocator

/// How the C allocator treats the large blocks an analysis frees: every frame's pixels are allocated on the decoding
/// thread (a 640×360 frame: 230 kB of gray, 691 kB more of RGB for BlazeFace or an overlay) and freed on the writing
/// thread once the frame is written.
///
/// With glibc's defaults, such a block freed at the top of a thread's heap goes back to the system and the next
/// frame's pixels are faulted in again page by page. Measured on `single_face.mp4` (30 default-mode analyses and 30
/// decodes, two threads): 70,000 page faults with the defaults, about 21,000 with these settings, and the analysis 5–10%
/// faster. Setting the mmap threshold explicitly also turns off glibc's own moving of it, so both are set.
public enum FrameBufferAllocation {
    /// Blocks up to 32 MB (a 4K RGB frame is 25 MB) come from the heap rather than a mapping of their own.
    public static let mappingThreshold: Int32 = 32 << 20
    /// A heap keeps up to 64 MB free at its top before returning memory: bounded, so memory still does not grow with
    /// the video's length.
    public static let trimThreshold: Int32 = 64 << 20

    /// Keeps freed frame buffers for the next frames; returns whether the allocator took the settings (false where
    /// the C library is not glibc). Process-wide: the command and the bench call it once at start-up, before any
    /// analysis thread exists; a program that embeds the library may too.
    @discardableResult
    public static func keepFreedBuffers() -> Bool {
        callocator_set_thresholds(mappingThreshold, trimThreshold) == 1
    }
}

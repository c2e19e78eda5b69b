import CFFmpeg

/// FFmpeg prints warnings to stderr on its own. The library leaves that as the process has it; the
/// command-line tool calls `configure` so that stderr carries only its own one-line errors.
public enum FFmpegLog {
    /// Quiet unless `verbose`, in which case FFmpeg's info-level messages pass through.
    public static func configure(verbose: Bool) {
        av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_QUIET)
    }
}

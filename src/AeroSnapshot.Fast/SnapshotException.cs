namespace AeroSnapshot.Fast;

/// <summary>
/// The one error type of the snapshot manager, shaped like an AeroDB error: a <see cref="Code"/>,
/// a <see cref="Severity"/>, a message, and where it helps the path, errno and step involved.
/// </summary>
public sealed class SnapshotException : Exception
{
    /// <summary>Creates the error.</summary>
    public SnapshotException()
        : this(SnapshotErrorCode.Failed, "The snapshot operation failed.")
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public SnapshotException(string message)
        : this(SnapshotErrorCode.Failed, message)
    {
    }

    /// <summary>Creates the error with a message and its cause.</summary>
    public SnapshotException(string message, Exception innerException)
        : this(SnapshotErrorCode.Failed, message, innerException: innerException)
    {
    }

    /// <summary>Creates an AeroDB error.</summary>
    public SnapshotException(
        string code,
        string message,
        SnapshotStep? step = null,
        string? path = null,
        int? errno = null,
        Exception? innerException = null,
        SnapshotSeverity? severity = null,
        string? invariant = null)
        : base(message, innerException)
    {
        Code = code;
        Step = step;
        Path = path;
        Errno = errno;
        Invariant = invariant;
        Severity = severity ?? (code is SnapshotErrorCode.DataCorruption or SnapshotErrorCode.MetadataCorruption
            ? SnapshotSeverity.Fatal
            : SnapshotSeverity.Error);
    }

    /// <summary>The AeroDB error code, one of <see cref="SnapshotErrorCode"/>.</summary>
    public string Code { get; }

    /// <summary>ERROR (the database keeps running) or FATAL.</summary>
    public SnapshotSeverity Severity { get; }

    /// <summary>The step that failed (of creation, reading, prune or restore), when one applies.</summary>
    public SnapshotStep? Step { get; }

    /// <summary>The file or directory involved.</summary>
    public string? Path { get; }

    /// <summary>The errno of the failing system call, when there was one.</summary>
    public int? Errno { get; }

    /// <summary>The specification invariant that would have been broken, when one applies.</summary>
    public string? Invariant { get; }

    /// <summary>A failure that happened while cleaning up after this one (the first failure wins).</summary>
    public Exception? CleanupFailure { get; internal set; }

    /// <summary>Builds the error for a failed system call at <paramref name="step"/>.</summary>
    internal static SnapshotException FromNative(NativeIOException native, SnapshotStep step, string? code = null)
        => new(code ?? SnapshotErrorCode.IO, $"Snapshot step {step} failed: {native.Message}", step, native.Path, native.Errno, native);
}

namespace AeroSnapshot.Fast;

/// <summary>
/// The one error type of the snapshot manager, shaped like an AeroDB error (AeroDB's error
/// specification): a <see cref="Code"/>, a <see cref="Severity"/>, a message, the
/// <see cref="Invariant"/> the error maps to where the specification gives one, and where it helps
/// the path, errno, step and the broken <see cref="Rule"/> in words.
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
        string? invariant = null,
        string? rule = null)
        : base(message, innerException)
    {
        Code = code;
        Step = step;
        Path = path;
        Errno = errno;
        Invariant = invariant ?? InvariantFor(code);
        Rule = rule;
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

    /// <summary>
    /// The id of the AeroDB invariant this error reports a violation of (<c>D2</c>, <c>K2</c>, <c>F2</c>…),
    /// when the specification maps one: <c>D2</c> ("data corruption is never ignored") for
    /// <c>AERO_DATA_CORRUPTION</c> and <c>AERO_METADATA_CORRUPTION</c>, <c>K2</c> for
    /// <c>AERO_WAL_CORRUPTION</c>. Null for errors no invariant covers (a failed system call).
    /// </summary>
    public string? Invariant { get; }

    /// <summary>The rule that would have been broken, in words, where it helps (for example "an existing snapshot is never replaced").</summary>
    public string? Rule { get; }

    /// <summary>
    /// The AeroDB component the error comes from, for logs, as the operation that raised it states it:
    /// <c>snapshot</c> (create, capture, pre-copy, verify, discovery, prune, clean), <c>restore</c>,
    /// <c>checkpoint</c>, <c>backup</c> (backup, verify-backup, restore from a backup) or <c>wal</c>.
    /// </summary>
    public string Component
    {
        get => _component ?? "snapshot";
        internal set => _component = value;
    }

    private string? _component;

    /// <summary>True once the frame of the operation that raised it logged it: an operation running inside another (a checkpoint's snapshot) does not log it twice.</summary>
    internal bool Logged { get; set; }

    /// <summary>A failure that happened while cleaning up after this one (the first failure wins).</summary>
    public Exception? CleanupFailure { get; internal set; }

    /// <summary>The invariant the error specification maps <paramref name="code"/> to, if any.</summary>
    public static string? InvariantFor(string code) => code switch
    {
        SnapshotErrorCode.DataCorruption or SnapshotErrorCode.MetadataCorruption => "D2",
        "AERO_WAL_CORRUPTION" => "K2",
        _ => null,
    };

    /// <summary>Builds the error for a failed system call at <paramref name="step"/>.</summary>
    internal static SnapshotException FromNative(NativeIOException native, SnapshotStep step, string? code = null)
        => new(code ?? SnapshotErrorCode.IO, $"Snapshot step {step} failed: {native.Message}", step, native.Path, native.Errno, native);
}

namespace AeroSnapshot.Fast.Wal;

/// <summary>
/// A WAL record that fails its frame or checksum: what is wrong and the offset of the record it is
/// wrong in. It reaches callers as the inner exception of a <see cref="SnapshotException"/> with code
/// <see cref="SnapshotErrorCode.WalCorruption"/>, so the one error type keeps its shape.
/// </summary>
public sealed class WalFrameException : Exception
{
    /// <summary>Creates the error.</summary>
    public WalFrameException()
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public WalFrameException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with a message and its cause.</summary>
    public WalFrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal WalFrameException(WalProblemKind kind, long recordOffset, string message)
        : base(message)
    {
        Kind = kind;
        RecordOffset = recordOffset;
    }

    /// <summary>What is wrong.</summary>
    public WalProblemKind Kind { get; }

    /// <summary>The byte offset in the WAL of the record that is wrong (where its length field starts).</summary>
    public long RecordOffset { get; }
}

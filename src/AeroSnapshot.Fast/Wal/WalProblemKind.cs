namespace AeroSnapshot.Fast.Wal;

/// <summary>Why a WAL failed its record frame (<c>BACKUP-CHECKPOINT.md</c> §4).</summary>
public enum WalProblemKind
{
    /// <summary>The file ends inside a record: its header is incomplete, or its length runs past the end.</summary>
    TornTail,

    /// <summary>The record's CRC-32 does not match its bytes (a flipped bit).</summary>
    ChecksumMismatch,

    /// <summary>The record's length is shorter than the 17 bytes of header and checksum.</summary>
    ImpossibleLength,

    /// <summary>The record's type is not one of 0..5.</summary>
    UnknownType,

    /// <summary>The record's sequence number repeats or goes back.</summary>
    SequenceNotIncreasing,
}

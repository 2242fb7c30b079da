namespace AeroSnapshot.Fast.Wal;

/// <summary>Why a WAL fails AeroDB's reader (<c>BACKUP-CHECKPOINT.md</c> §4; its <c>WalReader</c> is the authority).</summary>
public enum WalProblemKind
{
    /// <summary>The file ends inside a record: fewer than 37 bytes are left where a record starts, or its length runs past the end.</summary>
    TornTail,

    /// <summary>The record's CRC-32 does not match its bytes (a flipped bit).</summary>
    ChecksumMismatch,

    /// <summary>The record's length is below 37 bytes: header, checksum and the five length prefixes of an empty payload.</summary>
    ImpossibleLength,

    /// <summary>The record's type is not one of 0..5.</summary>
    UnknownType,

    /// <summary>The first record's sequence number is not 1, or a record's is not the previous one's + 1.</summary>
    SequenceOutOfOrder,

    /// <summary>The payload is not five length-prefixed fields: it ends inside a length prefix, or a field's length runs past it.</summary>
    MalformedPayload,

    /// <summary>One of the four string fields (collection, document, schema id, schema version) is not valid UTF-8.</summary>
    InvalidUtf8,
}

namespace AeroSnapshot.Fast;

/// <summary>The AeroDB error codes this library reports.</summary>
public static class SnapshotErrorCode
{
    /// <summary>The snapshot could not be taken (precondition, collision, hostile tree, concurrent write). Severity ERROR.</summary>
    public const string Failed = "AERO_SNAPSHOT_FAILED";

    /// <summary>An I/O call failed while taking or handling a snapshot. Severity ERROR.</summary>
    public const string IO = "AERO_SNAPSHOT_IO";

    /// <summary>A manifest could not be written or read. Severity ERROR.</summary>
    public const string Manifest = "AERO_SNAPSHOT_MANIFEST";

    /// <summary>Verification for restore or recovery found a bad checksum or a missing or extra file. Severity FATAL.</summary>
    public const string DataCorruption = "AERO_DATA_CORRUPTION";

    /// <summary>Verification for restore or recovery found an unreadable or invalid manifest. Severity FATAL.</summary>
    public const string MetadataCorruption = "AERO_METADATA_CORRUPTION";

    /// <summary>The WAL is one AeroDB's reader refuses: a record fails its length, checksum, type, payload or sequence number (invariant K2). Severity FATAL.</summary>
    public const string WalCorruption = "AERO_WAL_CORRUPTION";
}

/// <summary>How bad an AeroDB error is.</summary>
public enum SnapshotSeverity
{
    /// <summary>The operation failed; the database keeps running.</summary>
    Error,

    /// <summary>The database must not go on with this data.</summary>
    Fatal,
}

namespace AeroSnapshot.Fast;

/// <summary>
/// The steps of snapshot creation, in the order of the specification's exact sequence (with the
/// publish protocol's steps between them). An error names the step that failed.
/// </summary>
public enum SnapshotStep
{
    /// <summary>Checking that the caller holds the global execution lock.</summary>
    CheckLock,

    /// <summary>Creating <c>snapshots/</c>, removing stale staging, scanning the sources, checking space.</summary>
    Prepare,

    /// <summary>Making the WAL durable.</summary>
    SyncWal,

    /// <summary>Copying <c>storage.dat</c> with its checksum.</summary>
    CopyStorage,

    /// <summary>fsync of the storage copy.</summary>
    SyncStorage,

    /// <summary>Copying the schema tree with checksums.</summary>
    CopySchemas,

    /// <summary>fsync of the schema files and directories.</summary>
    SyncSchemas,

    /// <summary>Writing <c>manifest.json</c>.</summary>
    WriteManifest,

    /// <summary>fsync of <c>manifest.json</c>.</summary>
    SyncManifest,

    /// <summary>fsync of the staging directory.</summary>
    SyncStaging,

    /// <summary>The no-replace rename that makes the snapshot visible.</summary>
    Publish,

    /// <summary>fsync of <c>snapshots/</c> (and of the data directory when <c>snapshots/</c> is new).</summary>
    SyncParent,

    /// <summary>Removing a failed attempt's staging directory.</summary>
    Cleanup,

    /// <summary>Reading a snapshot back (verify, discover, restore).</summary>
    Read,
}

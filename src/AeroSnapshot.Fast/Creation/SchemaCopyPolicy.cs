namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// How <see cref="SchemaCopy"/> makes the schema files durable and what it keeps of them: the
/// caller's sync options always, plus, for a pre-copy made before the pause, the strong hash of
/// every file (so the pause can tell which are unchanged) and dropping each file's pages once it is
/// synced (so the copy does not push the database's working set out of the page cache), or, for a
/// capture, every sync left to <see cref="SchemaCopy.SyncDeferred"/> after the pause.
/// </summary>
internal readonly record struct SchemaCopyPolicy(SchemaSyncMode Sync, bool DataOnly, bool Prefetch, bool RecordStrongHashes, bool DropCachedPages, bool DeferSync = false)
{
    /// <summary>A snapshot's own copy.</summary>
    public static SchemaCopyPolicy For(SnapshotOptions options)
        => new(options.SchemaSync, !options.SyncFilesWithFsync, options.PrefetchSchemas, RecordStrongHashes: false, DropCachedPages: false);

    /// <summary>A pre-copy's: the same durability, with strong hashes kept and pages dropped.</summary>
    public static SchemaCopyPolicy ForPrecopy(SnapshotOptions options)
        => For(options) with { RecordStrongHashes = true, DropCachedPages = true };

    /// <summary>A capture's: the same durability, made by the completion after the pause.</summary>
    public static SchemaCopyPolicy ForCapture(SnapshotOptions options) => For(options) with { DeferSync = true };
}

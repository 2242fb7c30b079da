namespace AeroSnapshot.Fast.Creation;

/// <summary>How the schema files are made durable (measured in the schema-tree benchmarks).</summary>
internal enum SchemaSyncMode
{
    /// <summary>Write a batch, start each file's writeback, then fdatasync each: the default.</summary>
    Batched,

    /// <summary>fdatasync each file right after writing it, as the reference does.</summary>
    EachAsWritten,

    /// <summary>
    /// One <c>syncfs</c> for the lot. Fastest for many files, but it also flushes the database's own
    /// dirty data and anything else on the file system, inside the write pause: not the default.
    /// </summary>
    SyncFs,
}

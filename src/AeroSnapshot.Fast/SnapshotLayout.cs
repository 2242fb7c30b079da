namespace AeroSnapshot.Fast;

/// <summary>The names of the AeroDB data directory and snapshot layouts.</summary>
public static class SnapshotLayout
{
    /// <summary><c>snapshots</c>: the folder of snapshots inside the data directory.</summary>
    public const string SnapshotsDirectoryName = "snapshots";

    /// <summary><c>storage.dat</c>: the storage file, in the data directory and in a snapshot.</summary>
    public const string StorageFileName = "storage.dat";

    /// <summary><c>schemas</c>: the schema tree inside a snapshot.</summary>
    public const string SchemasDirectoryName = "schemas";

    /// <summary><c>metadata/schemas</c>: the schema tree inside a data directory.</summary>
    public static readonly string DataSchemasPath = Path.Join("metadata", "schemas");

    /// <summary><c>wal/wal.log</c>: the WAL inside a data directory.</summary>
    public static readonly string WalPath = Path.Join("wal", "wal.log");
}

namespace AeroSnapshot.TestSupport.Oracle;

/// <summary>
/// Lays out a data directory as AeroDB's own restore from a backup leaves it, so the tests can use
/// one without running AeroDB. What the reference writes (<c>reorganize_extracted_files</c> in
/// <c>src/restore/restorer.rs</c>; seen with <c>refharness restore-backup &lt;archive&gt; &lt;dir&gt;</c>,
/// docs/RELIABILITY.md "Living beside AeroDB's layout"):
/// <code>
/// data/storage.dat            the storage file, under data/ (CORE_RESTORE.md §5 step 9)
/// metadata/schemas/**         the schema tree
/// snapshots/&lt;id&gt;/           the backed-up snapshot again: manifest.json, storage.dat, schemas/**
/// wal/wal.log                 the backed-up WAL
/// </code>
/// Files are 0644 (<c>File::create</c> under a 022 umask), directories 0755, and nothing else is there
/// (no <c>LOCK</c>, no <c>storage.dat</c> at the top).
/// </summary>
public static class AeroDbRestoredDirectory
{
    /// <summary>Writes the layout into the existing, empty <paramref name="dataDirectory"/>; returns the snapshot's id.</summary>
    /// <param name="dataDirectory">The data directory to fill.</param>
    /// <param name="storage">The storage file's bytes.</param>
    /// <param name="schemas">Schema files by path relative to <c>metadata/schemas</c> (<c>/</c> separators).</param>
    /// <param name="wal">The WAL's bytes.</param>
    /// <param name="snapshotInstant">The instant of the backed-up snapshot's id.</param>
    public static string Write(string dataDirectory, byte[] storage, IReadOnlyDictionary<string, string> schemas, byte[] wal, DateTimeOffset snapshotInstant)
    {
        // The snapshot as the reference wrote it, from a scratch directory holding the same data.
        string scratch = dataDirectory + ".reference-source";
        Directory.CreateDirectory(scratch);
        try
        {
            File.WriteAllBytes(Path.Join(scratch, "storage.dat"), storage);
            WriteSchemas(Path.Join(scratch, "metadata", "schemas"), schemas);
            string snapshot = ReferenceSnapshotWriter.Write(scratch, snapshotInstant, TimeSpan.FromSeconds(1));
            string id = Path.GetFileName(snapshot);

            Directory.CreateDirectory(Path.Join(dataDirectory, "data"));
            File.WriteAllBytes(Path.Join(dataDirectory, "data", "storage.dat"), storage);
            WriteSchemas(Path.Join(dataDirectory, "metadata", "schemas"), schemas);
            Directory.CreateDirectory(Path.Join(dataDirectory, "snapshots"));
            Directory.Move(snapshot, Path.Join(dataDirectory, "snapshots", id));
            Directory.CreateDirectory(Path.Join(dataDirectory, "wal"));
            File.WriteAllBytes(Path.Join(dataDirectory, "wal", "wal.log"), wal);
            return id;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static void WriteSchemas(string root, IReadOnlyDictionary<string, string> schemas)
    {
        Directory.CreateDirectory(root);
        foreach ((string relative, string content) in schemas)
        {
            string path = Path.Join(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
    }
}

using AeroSnapshot.Fast;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Bench.Infrastructure;

/// <summary>A data directory for benchmarks: deterministic storage file and schema tree, reused across iterations.</summary>
internal sealed class BenchData : IDisposable
{
    public BenchData(string name, long storageBytes, int schemaFiles, int schemaFileBytes)
    {
        // Under the working directory (the repository's disk), not a tmpfs: the disk is what is measured.
        Root = Path.Join(BenchmarkSettings.DataRoot, name + "-" + Environment.ProcessId);
        Directory.CreateDirectory(Root);
        StoragePath = Path.Join(Root, SnapshotLayout.StorageFileName);
        SchemaDirectory = Path.Join(Root, SnapshotLayout.DataSchemasPath);
        WriteDeterministic(StoragePath, storageBytes, seed: 1);
        for (int i = 0; i < schemaFiles; i++)
        {
            // Up to 100 files per folder, like a schema tree grouped by collection.
            string path = Path.Join(SchemaDirectory, $"collection_{i / 100:D3}", $"schema_v{i % 100:D2}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            WriteDeterministic(path, schemaFileBytes, seed: i + 2);
        }
    }

    public string Root { get; }

    public string StoragePath { get; }

    public string SchemaDirectory { get; }

    public string SnapshotsDirectory => Path.Join(Root, SnapshotLayout.SnapshotsDirectoryName);

    private string Graveyard => Path.Join(Root, "graveyard");

    /// <summary>Removes every snapshot so the next iteration starts from the same state.</summary>
    /// <param name="setAside">
    /// Move the old snapshots into a graveyard (deleted at <see cref="Dispose"/>) instead of deleting
    /// them. On ext4 without a journal, creating files soon after deleting many costs about 1 ms
    /// each while the kernel skips recently deleted inodes (DESIGN.md §4): deleting 2,000 files in
    /// the set-up would bill that to whichever method runs next.
    /// </param>
    public void ClearSnapshots(bool setAside = false)
    {
        if (setAside && Directory.Exists(SnapshotsDirectory))
        {
            Directory.CreateDirectory(Graveyard);
            Directory.Move(SnapshotsDirectory, Path.Join(Graveyard, Guid.NewGuid().ToString("N")));
        }
        else
        {
            DirectoryTree.Delete(SnapshotsDirectory);
        }

        Directory.CreateDirectory(SnapshotsDirectory);
    }

    public void EvictSources()
    {
        PageCache.Evict(StoragePath);
        if (Directory.Exists(SchemaDirectory))
        {
            PageCache.EvictTree(SchemaDirectory);
        }
    }

    public void Dispose() => DirectoryTree.Delete(Root);

    private static void WriteDeterministic(string path, long length, int seed)
    {
        using FileStream stream = File.Create(path);
        var random = new Random(seed);
        byte[] chunk = new byte[(int)Math.Min(1 << 20, Math.Max(length, 1))];
        for (long left = length; left > 0; left -= chunk.Length)
        {
            random.NextBytes(chunk);
            stream.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
        }

        stream.Flush(flushToDisk: true);
    }
}

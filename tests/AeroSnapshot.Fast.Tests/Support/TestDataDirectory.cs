using System.Diagnostics;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// A throw-away AeroDB data directory on the real file system: <c>storage.dat</c>,
/// <c>metadata/schemas/**</c>, and helpers to snapshot it. Deleted (read-only files included) on dispose.
/// </summary>
public sealed class TestDataDirectory : IDisposable
{
    public TestDataDirectory(string? parent = null)
    {
        Root = Path.Join(parent ?? Path.GetTempPath(), "aerosnap-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string StoragePath => Path.Join(Root, "storage.dat");

    public string SchemaDirectory => Path.Join(Root, "metadata", "schemas");

    public string SnapshotsDirectory => Path.Join(Root, "snapshots");

    public void WriteStorage(ReadOnlySpan<byte> bytes) => File.WriteAllBytes(StoragePath, bytes.ToArray());

    /// <summary>Writes <paramref name="length"/> deterministic bytes without holding them all in memory.</summary>
    public void WriteStorage(long length, int seed = 1)
    {
        using FileStream stream = File.Create(StoragePath);
        var random = new Random(seed);
        byte[] chunk = new byte[1 << 20];
        for (long left = length; left > 0; left -= chunk.Length)
        {
            random.NextBytes(chunk);
            stream.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
        }
    }

    public string WriteSchema(string relativePath, string content) => WriteSchema(relativePath, System.Text.Encoding.UTF8.GetBytes(content));

    public string WriteSchema(string relativePath, byte[] content)
    {
        string path = Path.Join(SchemaDirectory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    public SnapshotId CreateSnapshot(SnapshotManager manager, SnapshotOptions? options = null, IWalDurability? wal = null)
    {
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            return manager.CreateSnapshot(Root, StoragePath, SchemaDirectory, wal ?? WalDurability.None, executionLock, options).Id;
        }
    }

    public string SnapshotDirectory(SnapshotId id) => Path.Join(SnapshotsDirectory, id.ToString());

    /// <summary>Every entry under <c>snapshots/</c> with its size and content hash: equal listings mean nothing changed.</summary>
    public IReadOnlyList<string> SnapshotsListing() => TreeListing(SnapshotsDirectory);

    public static IReadOnlyList<string> TreeListing(string root)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }

        return Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(path =>
            {
                string relative = Path.GetRelativePath(root, path);
                return Directory.Exists(path)
                    ? relative + "/"
                    : $"{relative} {new FileInfo(path).Length} {System.IO.Hashing.Crc32.HashToUInt32(File.ReadAllBytes(path)):x8}";
            })
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public void Dispose() => DeleteTree(Root);

    public static void DeleteTree(string path)
    {
        try
        {
            DirectoryTree.Delete(path);
        }
        catch (IOException ex)
        {
            Debug.WriteLine($"Could not delete test directory {path}: {ex.Message}");
        }
    }
}

/// <summary>A clock that always says the same instant, so ids and manifests are reproducible.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

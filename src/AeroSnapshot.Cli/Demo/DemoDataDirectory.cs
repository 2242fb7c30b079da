using System.Runtime.InteropServices;
using System.Text;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Cli.Demo;

/// <summary>What <see cref="DemoDataDirectory.Build"/> wrote.</summary>
internal sealed record DemoContents(long StorageBytes, int SchemaFiles, int SchemaDirectories, long SchemaBytes, long WalBytes);

/// <summary>
/// Builds a small AeroDB-shaped data directory: a storage file of any size with deterministic
/// content, a nested schema tree, and a WAL. The same size always gives the same bytes, so two
/// runs' snapshots have the same checksums.
/// </summary>
internal static class DemoDataDirectory
{
    /// <summary>The xorshift64 seed of the storage content.</summary>
    public const ulong Seed = 0x5EED_AE20_5A75_0001;

    private const int ChunkBytes = 1024 * 1024;

    private static readonly (string Path, string Json)[] Schemas =
    [
        ("users/user.v1.json", """{"name":"user","version":1,"fields":{"id":"uuid","email":"string"}}"""),
        ("users/user.v2.json", """{"name":"user","version":2,"fields":{"id":"uuid","email":"string","display_name":"string"}}"""),
        ("orders/order.v1.json", """{"name":"order","version":1,"fields":{"id":"uuid","user_id":"uuid","total_cents":"int64"}}"""),
        ("orders/lines/order_line.v1.json", """{"name":"order_line","version":1,"fields":{"order_id":"uuid","sku":"string","quantity":"int32"}}"""),
        ("catalog/products/product.v1.json", """{"name":"product","version":1,"fields":{"sku":"string","title":"string","price_cents":"int64"}}"""),
    ];

    /// <summary>
    /// Writes the demo files into <paramref name="paths"/>' locations; each file is fsynced.
    /// <paramref name="progress"/> (when not null) hears about the storage file after every chunk.
    /// </summary>
    public static DemoContents Build(DataPaths paths, long storageBytes, Action<SnapshotProgress>? progress, CancellationToken cancellation)
    {
        Directory.CreateDirectory(paths.DataDirectory);
        WriteStorage(paths.Storage, storageBytes, progress, cancellation);

        long schemaBytes = 0;
        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string relative, string json) in Schemas)
        {
            string path = Path.Join(paths.Schemas, relative);
            string directory = Path.GetDirectoryName(path)!;
            Directory.CreateDirectory(directory);
            for (string? d = directory; d is not null && d.Length > paths.Schemas.Length; d = Path.GetDirectoryName(d))
            {
                directories.Add(d);
            }

            byte[] bytes = Encoding.UTF8.GetBytes(json + "\n");
            WriteSmallFile(path, bytes);
            schemaBytes += bytes.Length;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(paths.Wal)!);
        byte[] walBytes = DemoWal.Build();
        WriteSmallFile(paths.Wal, walBytes);
        return new DemoContents(storageBytes, Schemas.Length, directories.Count, schemaBytes, walBytes.Length);
    }

    /// <summary>
    /// The storage file: a xorshift64 stream written 1 MiB at a time through one reused buffer,
    /// then fsynced, so the snapshot that follows is not slowed by this file's own writeback.
    /// </summary>
    private static void WriteStorage(string path, long length, Action<SnapshotProgress>? progress, CancellationToken cancellation)
    {
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: length);
        byte[] chunk = new byte[ChunkBytes];
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(chunk.AsSpan());
        ulong state = Seed;
        for (long offset = 0; offset < length; offset += ChunkBytes)
        {
            cancellation.ThrowIfCancellationRequested();
            for (int i = 0; i < words.Length; i++)
            {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                words[i] = state;
            }

            int count = (int)Math.Min(ChunkBytes, length - offset);
            PositionalIO.WriteAll(handle, path, chunk.AsSpan(0, count), offset);
            progress?.Invoke(new SnapshotProgress(offset + count, length, path));
        }

        NativeFile.Sync(handle, path, dataOnly: false);
    }

    private static void WriteSmallFile(string path, byte[] bytes)
    {
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        PositionalIO.WriteAll(handle, path, bytes, 0);
        NativeFile.Sync(handle, path, dataOnly: false);
    }

    /// <summary>A new, not yet existing folder under the system temp directory.</summary>
    public static string DefaultDirectory()
        => Path.Join(Path.GetTempPath(), $"aerosnap-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}");

    /// <summary>The demo writes only into a folder that does not exist or is empty.</summary>
    public static void RequireEmpty(string directory)
    {
        if (File.Exists(directory) || (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any()))
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"Refusing to build the demo in '{directory}': it exists and is not an empty folder. Give --dir a new or empty folder.",
                path: directory,
                errno: Errno.EEXIST);
        }
    }
}

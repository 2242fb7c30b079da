using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Extensions.Logging;

namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// A throw-away directory holding an AeroDB data directory (<c>data/</c>) and room beside it for
/// restore targets, on the real file system under the temp directory. Snapshots are taken with the
/// real <see cref="SnapshotManager.CreateSnapshot(string, string, string, IWalDurability, IExecutionLock, SnapshotOptions?, CancellationToken)"/>,
/// each one second after the previous so ids are distinct and ordered. Deleted on dispose,
/// read-only snapshot files included.
/// </summary>
public sealed class ReadSideWorkspace : IDisposable
{
    private static readonly DateTimeOffset FirstSnapshot = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly SettableClock _clock = new(FirstSnapshot);
    private readonly GlobalExecutionLock _lock = new();

    public ReadSideWorkspace()
    {
        // Fixed-length names, so paths (and the strings built from them) have the same length in
        // every workspace: the allocation test compares two workspaces byte for byte.
        Root = Path.Join(Path.GetTempPath(), "aerosnap-read-" + Guid.NewGuid().ToString("N")[..12]);
        DataDirectory = Path.Join(Root, "data");
        Directory.CreateDirectory(Path.Join(DataDirectory, "metadata", "schemas"));
        File.WriteAllBytes(StoragePath, Encoding.UTF8.GetBytes("initial storage"));
    }

    public string Root { get; }

    public string DataDirectory { get; }

    public string StoragePath => Path.Join(DataDirectory, "storage.dat");

    public string SchemaDirectory => Path.Join(DataDirectory, "metadata", "schemas");

    public string SnapshotsDirectory => Path.Join(DataDirectory, "snapshots");

    public SnapshotManager Manager { get; } = new();

    public void WriteStorage(byte[] bytes) => File.WriteAllBytes(StoragePath, bytes);

    /// <summary>A storage file of <paramref name="length"/> bytes; sparse, so large ones cost no disk to write.</summary>
    public void WriteSparseStorage(long length)
    {
        using FileStream stream = File.Create(StoragePath);
        stream.SetLength(length);
        stream.Position = length / 2;
        stream.WriteByte(0x5A); // not all zeros, so a wrong offset would change the checksum
    }

    public void WriteSchema(string relativePath, string content)
    {
        string path = Path.Join(SchemaDirectory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>A typical small tree: a schema at the top and one three levels down.</summary>
    public void WriteTypicalData(string tag = "v1")
    {
        WriteStorage(Encoding.UTF8.GetBytes($"storage contents {tag} " + new string('x', 5000)));
        WriteSchema("users.json", $"{{\"users\":\"{tag}\"}}");
        WriteSchema("app/orders/v2.json", $"{{\"orders\":\"{tag}\"}}");
        WriteSchema("app/items.json", $"{{\"items\":\"{tag}\"}}");
    }

    /// <summary>Takes a snapshot of the data directory as it is now, one second after the last.</summary>
    public SnapshotId Snapshot() => Snapshot(new SnapshotOptions()).Id;

    /// <summary>
    /// Takes a snapshot one second after the last with <paramref name="options"/> (its clock is the
    /// workspace's); the result is also kept in <see cref="LastResult"/>.
    /// </summary>
    public SnapshotResult Snapshot(SnapshotOptions options)
    {
        var withClock = new SnapshotOptions { TimeProvider = _clock, BeforeStep = options.BeforeStep, Logger = options.Logger };
        try
        {
            using (_lock.Acquire())
            {
                LastResult = Manager.CreateSnapshot(DataDirectory, StoragePath, SchemaDirectory, WalDurability.None, _lock, withClock);
            }

            return LastResult;
        }
        finally
        {
            _clock.Now = _clock.Now.AddSeconds(1);
        }
    }

    /// <summary>The result of the last successful <see cref="Snapshot()"/>.</summary>
    public SnapshotResult? LastResult { get; private set; }

    public string SnapshotPath(SnapshotId id) => Path.Join(SnapshotsDirectory, id.ToString());

    public void Dispose()
    {
        Manager.Dispose();
        try
        {
            DirectoryTree.Delete(Root);
        }
        catch (IOException ex)
        {
            Debug.WriteLine($"Could not delete test directory {Root}: {ex.Message}");
        }
    }
}

/// <summary>A clock that says what it is told, so snapshot ids are reproducible and distinct.</summary>
public sealed class SettableClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Ways to damage a snapshot, as pg_verifybackup's tests do. Snapshot files are read-only: each makes its target writable first.</summary>
public static class Damage
{
    /// <summary>Gives the owner write permission back: 0644 for a file, 0755 for a directory (which also needs its search bit).</summary>
    public static void MakeWritable(string path)
    {
        File.SetUnixFileMode(path, (UnixFileMode)(Directory.Exists(path) ? 0b111_101_101 : 0b110_100_100));
    }

    public static void AppendByte(string path, byte value = (byte)'!')
    {
        MakeWritable(path);
        using FileStream stream = new(path, FileMode.Append);
        stream.WriteByte(value);
    }

    public static void TruncateToZero(string path)
    {
        MakeWritable(path);
        using FileStream stream = new(path, FileMode.Truncate);
    }

    public static void ReplaceSameSize(string path)
    {
        long length = new FileInfo(path).Length;
        MakeWritable(path);
        File.WriteAllBytes(path, Enumerable.Repeat((byte)'#', (int)length).ToArray());
    }

    public static void FlipBit(string path, long offset, int bit = 0)
    {
        MakeWritable(path);
        using FileStream stream = new(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ (1 << bit)));
    }

    public static void WriteManifest(string snapshotDirectory, string text)
    {
        string path = Path.Join(snapshotDirectory, SnapshotManifest.FileName);
        if (File.Exists(path))
        {
            MakeWritable(path);
        }

        File.WriteAllText(path, text);
    }

    /// <summary>A version-1 manifest as the reference writes it, with the given fields.</summary>
    public static string Manifest(string snapshotId, string createdAt, string storageChecksum, params (string Key, string Checksum)[] schemas)
    {
        var text = new StringBuilder();
        text.Append("{\n");
        text.Append($"  \"snapshot_id\": \"{snapshotId}\",\n");
        text.Append($"  \"created_at\": \"{createdAt}\",\n");
        text.Append($"  \"storage_checksum\": \"{storageChecksum}\",\n");
        if (schemas.Length == 0)
        {
            text.Append("  \"schema_checksums\": {},\n");
        }
        else
        {
            text.Append("  \"schema_checksums\": {\n");
            text.Append(string.Join(",\n", schemas.Select(s => $"    \"{s.Key}\": \"{s.Checksum}\"")));
            text.Append("\n  },\n");
        }

        text.Append("  \"format_version\": 1\n}");
        return text.ToString();
    }

    public static string ChecksumOf(string path) => "crc32:" + Crc32.HashToUInt32(File.ReadAllBytes(path)).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Everything under a directory, one line per entry, without following links: kind, permission
/// bits, and for files size and CRC-32, for links their target. Equal listings mean equal trees.
/// </summary>
public static class TreeListing
{
    /// <summary>A snapshot's data as a restore lays it out (storage's checksum, then the schema tree), modes aside.</summary>
    public static List<string> OfSnapshotData(string snapshotDirectory) => DataListing(
        Path.Join(snapshotDirectory, "storage.dat"), Path.Join(snapshotDirectory, "schemas"));

    /// <summary>A data directory's storage and schema tree, comparable with <see cref="OfSnapshotData"/>.</summary>
    public static List<string> OfRestoredData(string dataDirectory) => DataListing(
        Path.Join(dataDirectory, "storage.dat"), Path.Join(dataDirectory, "metadata", "schemas"));

    private static List<string> DataListing(string storage, string schemas)
    {
        var lines = new List<string> { "storage.dat " + Damage.ChecksumOf(storage) };
        lines.AddRange(Of(schemas, modes: false));
        return lines;
    }

    public static List<string> Of(string root, bool modes = true)
    {
        var lines = new List<string>();
        if (!Directory.Exists(root))
        {
            return lines;
        }

        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var directory = new DirectoryInfo(pending.Pop());
            foreach (FileSystemInfo entry in directory.EnumerateFileSystemInfos())
            {
                string relative = Path.GetRelativePath(root, entry.FullName);
                string mode = modes ? Convert.ToString(NativeFile.TryStatus(entry.FullName)!.Value.Permissions, 8) : "-";
                if (entry.LinkTarget is { } target)
                {
                    lines.Add($"{relative} -> {target}");
                }
                else if (entry is DirectoryInfo)
                {
                    lines.Add($"{relative}/ {mode}");
                    pending.Push(entry.FullName);
                }
                else
                {
                    byte[] bytes = File.ReadAllBytes(entry.FullName);
                    lines.Add($"{relative} {mode} {bytes.Length} {Crc32.HashToUInt32(bytes):x8}");
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}

/// <summary>A logger that keeps what it is told.</summary>
public sealed class CapturingLogger : ILogger
{
    public List<(LogLevel Level, EventId EventId, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Entries.Add((logLevel, eventId, formatter(state, exception)));
}

/// <summary>Faults for the <see cref="SnapshotOptions.BeforeStep"/> hook.</summary>
public static class Faults
{
    /// <summary>An EIO from a system call, as the library would see it from a failing disk.</summary>
    public static NativeIOException Eio(SnapshotStep step) => new("injected", $"<{step}>", Errno.EIO);

    /// <summary>Options whose hook fails with EIO at <paramref name="step"/> (the first time only).</summary>
    public static SnapshotOptions FailAt(SnapshotStep step, SnapshotOptions? template = null)
    {
        bool fired = false;
        return new SnapshotOptions
        {
            Logger = template?.Logger,
            BeforeStep = s =>
            {
                if (s == step && !fired)
                {
                    fired = true;
                    throw Eio(s);
                }
            },
        };
    }

    /// <summary>Options whose hook "crashes" at <paramref name="step"/>: the operation stops dead there.</summary>
    public static SnapshotOptions CrashAt(SnapshotStep step) => new()
    {
        BeforeStep = s =>
        {
            if (s == step)
            {
                throw new SimulatedCrashException($"Crash before {s}.");
            }
        },
    };
}

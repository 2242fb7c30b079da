using System.Text;

namespace AeroSnapshot.Cli.Tests.Support;

/// <summary>
/// A real AeroDB-shaped data directory in a fresh temp folder: <c>storage.dat</c> with
/// deterministic bytes, a nested schema tree, a WAL. Deleted when disposed.
/// </summary>
public sealed class DataDirectory : IDisposable
{
    public DataDirectory(int storageBytes = 3 * 1024 * 1024 + 123, bool withWal = true, bool withStorage = true)
    {
        Root = Path.Join(Path.GetTempPath(), "aerosnap-cli-tests-" + Guid.NewGuid().ToString("N"));
        Data = Path.Join(Root, "data");
        Directory.CreateDirectory(Data);
        if (withStorage)
        {
            var bytes = new byte[storageBytes];
            new Random(42).NextBytes(bytes);
            File.WriteAllBytes(StoragePath, bytes);
        }

        WriteSchema("users/user.v1.json", """{"name":"user","version":1}""");
        WriteSchema("orders/lines/line.v1.json", """{"name":"line","version":1}""");
        if (withWal)
        {
            Directory.CreateDirectory(Path.Join(Data, "wal"));
            File.WriteAllBytes(Path.Join(Data, "wal", "wal.log"), AeroDbWal.Valid(1)); // one record, as AeroDB writes it
        }
    }

    /// <summary>The temp folder holding the data directory (and anything else a test makes).</summary>
    public string Root { get; }

    /// <summary>The data directory.</summary>
    public string Data { get; }

    public string StoragePath => Path.Join(Data, "storage.dat");

    public string SchemasPath => Path.Join(Data, "metadata", "schemas");

    public string SnapshotsPath => Path.Join(Data, "snapshots");

    public string LockPath => Path.Join(Data, "LOCK");

    public string SnapshotPath(string id) => Path.Join(SnapshotsPath, id);

    public void WriteSchema(string relativePath, string json)
    {
        string path = Path.Join(SchemasPath, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json, Encoding.UTF8);
    }

    /// <summary>The snapshot ids present, oldest first.</summary>
    public string[] SnapshotIds() => Directory.Exists(SnapshotsPath)
        ? Directory.GetDirectories(SnapshotsPath).Select(static d => Path.GetFileName(d)).Where(static n => n.Length == 16 && !n.StartsWith('.')).Order(StringComparer.Ordinal).ToArray()
        : [];

    /// <summary>Takes a snapshot with the tool and returns its id.</summary>
    public string CreateSnapshot()
    {
        CliResult result = CliProcess.Run("create", Data, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = result.Json();
        return json.RootElement.GetProperty("snapshot_id").GetString()!;
    }

    /// <summary>
    /// Copies a published snapshot under another id, rewriting the manifest's id and created_at, so
    /// a test can have several snapshots without waiting a second between creates. The copy is a
    /// valid snapshot: the manifest carries no checksum of itself.
    /// </summary>
    public string CloneSnapshot(string sourceId, string newId)
    {
        string source = SnapshotPath(sourceId);
        string target = SnapshotPath(newId);
        foreach (string directory in Directory.GetDirectories(source, "*", SearchOption.AllDirectories).Prepend(source))
        {
            Directory.CreateDirectory(directory.Replace(source, target, StringComparison.Ordinal));
        }

        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(source, target, StringComparison.Ordinal));
        }

        string manifestPath = Path.Join(target, "manifest.json");
        string createdAt = $"{newId[..4]}-{newId[4..6]}-{newId[6..8]}T{newId[9..11]}:{newId[11..13]}:{newId[13..15]}Z";
        string oldCreatedAt = $"{sourceId[..4]}-{sourceId[4..6]}-{sourceId[6..8]}T{sourceId[9..11]}:{sourceId[11..13]}:{sourceId[13..15]}Z";
        string manifest = File.ReadAllText(manifestPath)
            .Replace($"\"{sourceId}\"", $"\"{newId}\"", StringComparison.Ordinal)
            .Replace($"\"{oldCreatedAt}\"", $"\"{createdAt}\"", StringComparison.Ordinal);
        File.SetUnixFileMode(manifestPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(manifestPath, manifest);
        return newId;
    }

    /// <summary>Flips one byte of a snapshot file (snapshot files are read-only, so it is made writable first).</summary>
    public void CorruptByte(string id, string relativePath = "storage.dat", long offset = 1000)
    {
        string path = Path.Join(SnapshotPath(id), relativePath);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0xFF));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

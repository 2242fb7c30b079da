using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Layout;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Precopy;

/// <summary>
/// A snapshot's copy made ahead of the write pause by
/// <see cref="SnapshotManager.PrecopySnapshot(string, string, string, SnapshotOptions?, CancellationToken)"/>: the storage
/// file's prefix and the schema tree, durable in a staging directory of <c>snapshots/</c>, with what
/// the pause needs to check them. Give it to one <c>CreateSnapshot</c> through
/// <see cref="SnapshotOptions.Precopy"/>; the pause then re-hashes the prefix, copies only the tail
/// and the schema files that changed. Dispose it when done: an unused pre-copy is removed then (or,
/// if the process dies first, by the next preparation, snapshot or <c>clean</c>, like any staging leftover).
/// </summary>
/// <remarks>
/// Not thread-safe: it belongs to the thread that takes the snapshot. It holds one open descriptor
/// (the staged storage copy, still writable through it although its mode is 0444).
/// </remarks>
public sealed class SnapshotPrecopy : IDisposable
{
    private SafeFileHandle? _stagedStorage;
    private string? _setAside;   // a stale staged copy moved out of the pause's way, deleted by Dispose

    internal SnapshotPrecopy(
        SnapshotPreparation preparation,
        string dataDirectory,
        FileIdentity dataDirectoryIdentity,
        string schemaDirectory,
        string stagingDirectory,
        FileIdentity stagingIdentity,
        FileIdentity storageIdentity,
        SafeFileHandle stagedStorage,
        long prefixLength,
        StreamingCrc32 prefixCrc,
        int chunkBytes,
        IReadOnlyList<UInt128> prefixChunkHashes,
        IReadOnlyList<string> schemaDirectories,
        IReadOnlyDictionary<string, StagedSchemaFile> schemaFiles,
        MappedFile? prefixMapping,
        TimeSpan duration)
    {
        Preparation = preparation;
        DataDirectory = dataDirectory;
        DataDirectoryIdentity = dataDirectoryIdentity;
        SchemaDirectory = schemaDirectory;
        StagingDirectory = stagingDirectory;
        StagingIdentity = stagingIdentity;
        StorageIdentity = storageIdentity;
        _stagedStorage = stagedStorage;
        StorageBytes = prefixLength;
        PrefixCrc = prefixCrc;
        ChunkBytes = chunkBytes;
        PrefixChunkHashes = prefixChunkHashes;
        StagedSchemaDirectories = schemaDirectories;
        StagedSchemaFiles = schemaFiles;
        SchemaBytes = schemaFiles.Values.Sum(static f => f.Length);
        PrefixMapping = prefixMapping;
        Duration = duration;
    }

    /// <summary>What the ordinary preparation did first (<c>snapshots/</c> made durable, leftovers removed).</summary>
    public SnapshotPreparation Preparation { get; }

    /// <summary>The staging directory holding the pre-copy (<c>snapshots/.precopy-…</c>).</summary>
    public string StagingDirectory { get; }

    /// <summary>Bytes of the storage file pre-copied: its length when the pre-copy started.</summary>
    public long StorageBytes { get; }

    /// <summary>Schema files pre-copied.</summary>
    public int SchemaFiles => StagedSchemaFiles.Count;

    /// <summary>Bytes of schema files pre-copied.</summary>
    public long SchemaBytes { get; }

    /// <summary>The time the pre-copy took (outside the pause).</summary>
    public TimeSpan Duration { get; }

    /// <summary>True once a snapshot has taken the pre-copy (whether or not it could use it) or it was disposed.</summary>
    public bool IsConsumed { get; private set; }

    internal string DataDirectory { get; }

    internal FileIdentity DataDirectoryIdentity { get; }

    internal string SchemaDirectory { get; }

    internal FileIdentity StagingIdentity { get; }

    internal FileIdentity StorageIdentity { get; }

    internal StreamingCrc32 PrefixCrc { get; }

    /// <summary>Bytes of the prefix covered by each of <see cref="PrefixChunkHashes"/>.</summary>
    internal int ChunkBytes { get; }

    internal IReadOnlyList<UInt128> PrefixChunkHashes { get; }

    internal IReadOnlyList<string> StagedSchemaDirectories { get; }

    /// <summary>The source's prefix mapped, page tables built, for the pause to re-hash in place; null where it could not be mapped.</summary>
    internal MappedFile? PrefixMapping { get; private set; }

    internal IReadOnlyDictionary<string, StagedSchemaFile> StagedSchemaFiles { get; }

    /// <summary>The staged storage copy's descriptor, handed over to the snapshot that consumes the pre-copy.</summary>
    internal SafeFileHandle TakeStagedStorage()
    {
        ObjectDisposedException.ThrowIf(_stagedStorage is null, this);
        SafeFileHandle handle = _stagedStorage;
        _stagedStorage = null;
        IsConsumed = true;
        return handle;
    }

    /// <summary>Marks the pre-copy used without taking it (a snapshot found it unusable).</summary>
    internal void MarkConsumed()
    {
        IsConsumed = true;
        _stagedStorage?.Dispose();
        _stagedStorage = null;
    }

    /// <summary>
    /// Takes a staged storage copy that turned out stale out of the snapshot's way with one rename
    /// (to a <c>.precopy-</c> leftover name in <c>snapshots/</c>) instead of unlinking it: freeing
    /// a 1 GiB file's blocks took 0.2–0.25 s, inside the pause (docs/PERFORMANCE.md). <see cref="Dispose"/>
    /// deletes it after the pause; after a crash <c>clean</c> does, as for any leftover. Where the
    /// rename cannot be made the file is unlinked here, as before.
    /// </summary>
    internal void SetAside(string stagedPath)
    {
        string snapshots = Path.GetDirectoryName(StagingDirectory)!;
        string aside = Path.Join(snapshots, StagingArea.PrecopyPrefix + "stale-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)));
        if (AtomicRename.TryNoReplace(stagedPath, aside, isDirectory: false))
        {
            _setAside = aside;
            return;
        }

        NativeFile.Remove(stagedPath);
    }

    private void RemoveSetAside()
    {
        if (_setAside is not { } aside)
        {
            return;
        }

        _setAside = null;
        try
        {
            if (DurableFile.RemoveIfPresent(aside))
            {
                NativeFile.SyncDirectory(Path.GetDirectoryName(aside)!);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next RemoveLeftovers: the name marks it as a leftover.
        }
    }

    /// <summary>
    /// Closes the staged copy and, when no snapshot took it, removes the staging directory (best
    /// effort: if that fails it stays a leftover for the next clean-up), and deletes a stale staged
    /// copy a snapshot set aside.
    /// </summary>
    public void Dispose()
    {
        PrefixMapping?.Dispose();
        PrefixMapping = null;
        RemoveSetAside();
        bool unused = !IsConsumed;
        MarkConsumed();
        if (!unused)
        {
            return;
        }

        try
        {
            // Only the directory this pre-copy made: a later preparation may have removed it and
            // something else may stand at the name now.
            if (FileIdentity.Of(StagingDirectory) == StagingIdentity)
            {
                DirectoryTree.Delete(StagingDirectory);
                NativeFile.SyncDirectory(Path.GetDirectoryName(StagingDirectory)!);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next RemoveLeftovers: the name marks it as a leftover.
        }
    }
}

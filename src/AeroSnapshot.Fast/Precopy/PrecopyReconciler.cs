using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Precopy;

/// <summary>
/// The pre-copy's own decisions inside the pause, asked by the snapshot's ordinary steps: may the
/// staging directory be taken over, is the staged storage prefix still the source's (then the
/// storage copy only appends the tail), and which staged schema files there are (the schema copy
/// keeps the unchanged ones). Whenever the pre-copy cannot be trusted it says so and the snapshot's
/// ordinary copy runs instead: never wrong, only slower.
/// </summary>
internal sealed class PrecopyReconciler
{
    private readonly SnapshotPrecopy _precopy;
    private readonly SnapshotOptions _options;
    private SafeFileHandle? _stagedStorage;
    private PrecopyStorageOutcome _storage = PrecopyStorageOutcome.Unusable;
    private long _appended;
    private string? _detail;
    private int _reused;
    private int _copied;
    private int _removed;
    private bool _claimed;

    private PrecopyReconciler(SnapshotPrecopy precopy, SnapshotOptions options)
    {
        _precopy = precopy;
        _options = options;
    }

    /// <summary>What the snapshot did with the pre-copy, given the number of schema files it holds.</summary>
    public PrecopyReport ReportFor(int schemaFiles) => _claimed
        ? new(_storage, _precopy.StorageBytes, _appended, _detail, _reused, _copied, _removed)
        : new(_storage, _precopy.StorageBytes, 0, _detail, 0, schemaFiles, 0);

    /// <summary>Bytes of the storage file the pre-copy holds.</summary>
    public long PrefixBytes => _precopy.StorageBytes;

    /// <summary>The reconciler for the options' pre-copy, or null when there is none.</summary>
    public static PrecopyReconciler? For(SnapshotOptions options) => options.Precopy is { } precopy ? new PrecopyReconciler(precopy, options) : null;

    /// <summary>
    /// Renames the pre-copy's directory to <paramref name="staging"/>, the snapshot's staging name, if
    /// it is this data directory's, unused and untouched; returns false (and the snapshot makes its
    /// own staging directory) otherwise. Runs before the snapshot removes leftovers, which would
    /// otherwise remove the pre-copy with them.
    /// </summary>
    public bool TryClaim(string dataDirectory, string schemaDirectory, string staging)
    {
        string? reason = Unusable(dataDirectory, schemaDirectory);
        if (reason is not null)
        {
            _precopy.MarkConsumed();
            return Fallback(PrecopyStorageOutcome.Unusable, reason);
        }

        _stagedStorage = _precopy.TakeStagedStorage();
        string? renameFailure = null;
        try
        {
            if (!AtomicRename.TryNoReplace(_precopy.StagingDirectory, staging, isDirectory: true))
            {
                renameFailure = Errors.Describe(Errno.EEXIST);
            }
        }
        catch (NativeIOException ex)
        {
            renameFailure = Errors.Describe(ex.Errno);
        }

        if (renameFailure is not null)
        {
            DisposeStagedStorage();
            return Fallback(PrecopyStorageOutcome.Unusable, $"its directory could not be renamed to {Path.GetFileName(staging)} ({renameFailure})");
        }

        _claimed = true;
        return true;
    }

    private string? Unusable(string dataDirectory, string schemaDirectory)
    {
        if (_precopy.IsConsumed)
        {
            return "it was already used or disposed";
        }

        if (FileIdentity.Of(dataDirectory) != _precopy.DataDirectoryIdentity)
        {
            return $"it was made for another data directory ({_precopy.DataDirectory})";
        }

        if (!string.Equals(Path.GetFullPath(schemaDirectory), _precopy.SchemaDirectory, StringComparison.Ordinal))
        {
            return $"it was made for another schema directory ({_precopy.SchemaDirectory})";
        }

        if (FileIdentity.Of(_precopy.StagingDirectory) != _precopy.StagingIdentity)
        {
            return $"its staging directory {_precopy.StagingDirectory} was removed or replaced";
        }

        return null;
    }

    /// <summary>
    /// Hands over the staged storage copy when it still is this pre-copy's file, the source is the
    /// same file and at least as long, and its prefix hashes as it did (re-read chunk by chunk,
    /// normally from the page cache, stopping at the first chunk that differs); the caller appends
    /// the tail and owns the handle. Otherwise sets the staged copy aside, says why, and returns null:
    /// the caller copies the storage file in full into the same path.
    /// </summary>
    public StagedStoragePrefix? TakeVerifiedStoragePrefix(SourceFile storage, string stagedPath, FileCopier copier, Span<byte> buffer, ProgressReporter progress)
    {
        SafeFileHandle staged = _stagedStorage ?? throw new InvalidOperationException("The pre-copy was not claimed.");

        // The staged file must still be the one this pre-copy wrote (nothing replaced it in the directory).
        if (FileIdentity.Of(stagedPath) != FileIdentity.Of(staged, stagedPath))
        {
            return DropStaged(stagedPath, PrecopyStorageOutcome.Unusable, "the staged storage copy was replaced");
        }

        long prefix = _precopy.StorageBytes;
        FileIdentity identity = FileIdentity.Of(storage.Handle, storage.Path);
        if (identity != _precopy.StorageIdentity)
        {
            return DropStaged(stagedPath, PrecopyStorageOutcome.Replaced, $"the storage file is another file now (inode {identity}, pre-copied {_precopy.StorageIdentity})");
        }

        if (storage.Status.Size < prefix)
        {
            return DropStaged(stagedPath, PrecopyStorageOutcome.Shrank, $"the storage file shrank from {prefix} to {storage.Status.Size} bytes");
        }

        var same = ChunkHashes.Compare(_precopy.PrefixChunkHashes, _precopy.ChunkBytes);
        if (_precopy.PrefixMapping is { } mapping)
        {
            // The pre-copy's mapping of the prefix, its page tables already built: hashed in place.
            HashInPlace(mapping, same, progress, storage.Path);
        }
        else
        {
            copier.Copy(new CopyJob
            {
                Source = storage.Handle,
                SourcePath = storage.Path,
                Length = prefix,
                WithoutCrc = true,
                ChunkHashes = same,
                Buffer = buffer,
                Progress = progress,
                Cancellation = _options.CancellationToken,
            });
        }

        if (same.FirstDifference >= 0)
        {
            long from = (long)same.FirstDifference * _precopy.ChunkBytes;
            long to = Math.Min(prefix, from + _precopy.ChunkBytes);
            return DropStaged(stagedPath, PrecopyStorageOutcome.PrefixChanged, $"bytes in [{from}, {to}) changed in place since the pre-copy (the first differing region; the storage file is meant to be append-only)");
        }

        _stagedStorage = null;
        return new StagedStoragePrefix(staged, prefix, _precopy.PrefixCrc);
    }

    /// <summary>
    /// Hashes all of <paramref name="mapping"/> (the prefix, mapped at the pre-copy's length) chunk by
    /// chunk into <paramref name="same"/>, stopping at the first chunk that differs: memory speed,
    /// no copy into a buffer, no system call per chunk. Safe because the caller checked the file is
    /// still at least that long and the database's writes are paused (MappedFile).
    /// </summary>
    private void HashInPlace(MappedFile mapping, ChunkHashes same, ProgressReporter progress, string path)
    {
        for (long offset = 0; offset < mapping.Length;)
        {
            _options.CancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(same.ChunkBytes, mapping.Length - offset);
            ReadOnlySpan<byte> chunk = mapping.Slice(offset, count);
            offset += count;
            progress.Advance(count, path);
            if (!same.Append(chunk, offset))
            {
                return;
            }
        }

        same.Finish(ended: false);
    }

    /// <summary>The storage copy appended <paramref name="bytes"/> to the verified prefix.</summary>
    public void StorageAppended(long bytes)
    {
        _storage = PrecopyStorageOutcome.Appended;
        _appended = bytes;
    }

    /// <summary>The pre-copied schema tree in the staging directory, for the schema copy to keep what is unchanged.</summary>
    public StagedSchemaTree StagedSchemas => new(_precopy.StagedSchemaDirectories, _precopy.StagedSchemaFiles);

    /// <summary>What the schema copy did with the staged tree, for the report.</summary>
    public void SchemasReconciled(SchemaCopy copy)
    {
        _reused = copy.Reused;
        _copied = copy.Copied;
        _removed = copy.Removed;
    }

    /// <summary>Closes the staged storage copy if this reconciler still holds it (after a failure too).</summary>
    public void DisposeStagedStorage()
    {
        _stagedStorage?.Dispose();
        _stagedStorage = null;
    }

    private StagedStoragePrefix? DropStaged(string stagedPath, PrecopyStorageOutcome outcome, string reason)
    {
        DisposeStagedStorage();
        _precopy.SetAside(stagedPath);
        Fallback(outcome, reason);
        return null;
    }

    private bool Fallback(PrecopyStorageOutcome outcome, string reason)
    {
        _storage = outcome;
        _detail = reason;
        _options.Logger?.LogStorageFallback(Path.GetFileName(_precopy.StagingDirectory), outcome, reason);
        return false;
    }
}

/// <summary>A pre-copied storage prefix verified unchanged: the staged copy's handle (the caller's now), its length and its CRC-32, to continue.</summary>
internal sealed record StagedStoragePrefix(SafeFileHandle Handle, long Length, StreamingCrc32 Crc);

using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.ManifestFormat;
using AeroSnapshot.Fast.Verification;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Restoring;

/// <summary>
/// One restore of a snapshot into an existing data directory, built beside it and swapped in atomically.
/// </summary>
/// <remarks>
/// <para>
/// Restore replaces, it never merges (AeroDB's restore specification): the target ends in exactly
/// the snapshot's state, its <c>storage.dat</c>, its whole schema tree under <c>metadata/schemas/</c>
/// and an empty WAL (<c>wal/wal.log</c>, zero bytes: a snapshot carries no WAL). <c>snapshots/</c> is
/// not database state and is carried over (the recovery history, often holding the very snapshot
/// being restored); so is <c>wal/</c> with <c>keepWal</c>, for AeroDB to roll forward from the
/// snapshot. The lock file <c>LOCK</c> is never moved: the caller holds it locked, and it must stay
/// at its name until the exchange, so that nothing can start on the data directory meanwhile (a
/// moved lock leaves the name free, and an interrupted restore could not move it back past the
/// lock its own clean-up takes). The new directory gets a fresh empty <c>LOCK</c> with the old
/// one's permission bits instead. Everything else (for example <c>checkpoint.json</c>, other
/// entries of <c>metadata/</c>, unknown files) goes with the previous
/// data and is listed in <see cref="RestoreResult.Discarded"/>. The target must exist (the
/// specification's precondition); a missing one aborts before anything is created, and so does a
/// target holding AeroDB's running marker <c>.lock</c> (looked at again right before the swap).
/// </para>
/// <para>
/// The storage file goes where the target's database reads it (<see cref="DataDirectoryLayout"/>:
/// <c>data/storage.dat</c> in a directory AeroDB restored, <c>storage.dat</c> otherwise, or
/// <see cref="SnapshotOptions.StorageLocation"/>). Everything written gets the target's owner and
/// group (a restore run as root leaves the database's account able to open its files), with the
/// modes of what it replaces (the directory, <c>metadata/</c>, <c>data/</c>, the storage file,
/// <c>wal/</c>, the WAL file, <c>LOCK</c>), and new files and directories no wider than the target
/// allowed (<see cref="RestoredModes"/>); all of it set on descriptors, never by path.
/// </para>
/// <para>
/// The new data directory is built as <c>&lt;parent&gt;/.&lt;name&gt;.restore-&lt;id&gt;</c>: in the
/// target's own parent, so it is on the same file system and the swap is a rename. The snapshot's
/// manifest and file set are checked first (nothing is written for a snapshot that is visibly
/// broken), then its files are copied with their CRC-32 checked on the bytes written, and every
/// file and directory created is fsynced, then the parent.
/// </para>
/// <para>
/// The carried-over entries are moved into the new directory by renames within the file system (a
/// folder of snapshots costs nothing to move), then the two directories are exchanged with
/// <c>renameat2(RENAME_EXCHANGE)</c> in one atomic step and the parent fsynced. Only then is the
/// old data (now beside the target) deleted: until the new directory is durable the old one exists
/// whole, in place or, during the moves, split between the two directories as the marker records.
/// </para>
/// <para>
/// The moves cannot be atomic together, so before the first one an fsynced intent marker listing
/// them is put into the new directory (see <see cref="RestoreIntent"/>). On a failure the steps
/// are undone here (exchange back, move back, delete); after a crash, <see cref="RestoreRecovery"/>
/// does the same from the marker's position at the next restore or clean-up, and discovery refuses
/// to run on a data directory whose entries are still beside it.
/// </para>
/// </remarks>
internal sealed class SnapshotRestorer : OperationAttempt<RestoreResult>
{
    private const string MetadataName = "metadata";
    private const string WalName = "wal";
    private const string WalFileName = "wal.log";

    // The lock file AeroDB and aerosnap lock (see DataDirectoryLock): never moved, recreated empty.
    private const string LockName = DataDirectoryLock.FileName;

    private readonly string _snapshotDirectory;
    private readonly RestoreTarget _target;
    private readonly bool _keepWal;
    private readonly SnapshotOptions _options;
    private readonly AlignedBufferPool _buffers;
    private readonly StepRecorder _recorder;

    private string? _sibling;       // set while the new directory beside the target is there and ours to delete
    private bool _exchanged;        // existing target: swapped but not yet durable
    private SnapshotId _id;
    private readonly List<byte[]> _movedTop = [];

    public SnapshotRestorer(string snapshotDirectory, string targetDataDirectory, bool keepWal, SnapshotOptions options, AlignedBufferPool buffers, StepRecorder recorder)
        : base(options, recorder, SnapshotStep.RestoreRecover, OperationTelemetry.Restore)
    {
        _snapshotDirectory = snapshotDirectory;
        _target = RestoreTarget.For(targetDataDirectory);
        _keepWal = keepWal;
        _options = options;
        _buffers = buffers;
        _recorder = recorder;
    }

    protected override string Describe(SnapshotStep step) => $"Restore step {step}";

    protected override string Component => "restore";

    protected override TimeSpan? Elapsed(RestoreResult result) => result.Duration;

    protected override void TagSpan(System.Diagnostics.Activity activity)
    {
        activity.SetTag("aerosnap.snapshot.dir", _snapshotDirectory);
        activity.SetTag("aerosnap.data_dir", _target.Path);
    }

    protected override string ManifestErrorCode => SnapshotErrorCode.MetadataCorruption;

    protected override RestoreResult RunSteps()
    {
        Steps.Enter(SnapshotStep.RestoreRecover);
        DataDirectoryLayout.ThrowIfRunning(_target.Path, "Restore");
        foreach (string name in RestoreRecovery.Recover(_target))
        {
            _options.Logger?.LogLeftoverRemoved(name);
        }

        Steps.Enter(SnapshotStep.Read);
        using AlignedBufferPool.Lease buffer = _buffers.Rent();
        var copier = new RestoreCopier(_options);
        ReplacedDirectory state;
        string sibling;
        IReadOnlyList<string> unverified;
        using (OpenedSnapshot snapshot = OpenSnapshot(buffer.Span))
        {
            _id = snapshot.Manifest!.SnapshotId;
            state = InspectTarget();
            sibling = _target.SiblingFor(_id);

            Steps.Enter(SnapshotStep.RestoreCopy);

            // Private while it is built (nobody else can put anything in it); it gets the old
            // directory's mode and owner last, once everything in it has theirs.
            NativeFile.MakeDirectory(sibling, FileModes.PrivateDirectory);
            _sibling = sibling;
            copier.Copy(snapshot, sibling, state.Storage, state.Modes, buffer.Span);
            unverified = [.. snapshot.Inventory!.UnlistedFiles.Select(static file => file.RelativePath)];
        }

        if (state.LockPermissions is { } lockPermissions)
        {
            // Empty, as AeroDB creates it; the old one, which the caller has locked, stays in place.
            string lockFile = Path.Join(sibling, LockName);
            using SafeFileHandle lockHandle = NativeFile.CreateNew(lockFile, lockPermissions);
            NativeFile.SetModeAndOwner(lockHandle, lockFile, lockPermissions, state.Modes.Owner);
        }

        bool walKept = _keepWal && state.HasWal;
        if (!walKept)
        {
            // A snapshot carries no WAL: the restored directory starts with an empty one. The old
            // WAL stays with the old data and is deleted with it.
            Steps.Enter(SnapshotStep.RestoreEmptyWal);
            string wal = Path.Join(sibling, WalName);
            NativeFile.MakeDirectory(wal, state.WalPermissions);
            NativeFile.SetDirectoryModeAndOwner(wal, state.WalPermissions, state.Modes.Owner);
            copier.CreatedDirectories.Add(WalName);
            string walFile = Path.Join(wal, WalFileName);
            using SafeFileHandle handle = NativeFile.CreateNew(walFile, state.WalFilePermissions);
            NativeFile.SetModeAndOwner(handle, walFile, state.WalFilePermissions, state.Modes.Owner);
            NativeFile.Sync(handle, walFile, dataOnly: false);
        }

        Steps.Enter(SnapshotStep.RestoreSync);
        NativeFile.SetDirectoryModeAndOwner(Path.Join(sibling, MetadataName), state.MetadataPermissions, state.Modes.Owner);
        NativeFile.SetDirectoryModeAndOwner(sibling, state.Permissions, state.Modes.Owner);

        // Deepest first: each directory's entries are durable before its parent's; the parent
        // last, so that the new directory itself survives a crash (recovery relies on it).
        for (int i = copier.CreatedDirectories.Count - 1; i >= 0; i--)
        {
            NativeFile.SyncDirectory(Path.Join(sibling, copier.CreatedDirectories[i]));
        }

        NativeFile.SyncDirectory(sibling);
        NativeFile.SyncDirectory(_target.Parent);

        (Exception? cleanupFailure, List<string> discarded) = SwapIntoExisting(sibling, walKept, state.Storage.Location);
        _recorder.Finish();
        return new RestoreResult(_id, _target.Path, copier.BytesCopied, copier.FilesCopied)
        {
            Duration = _recorder.Elapsed,
            Steps = _recorder.Steps,
            CleanupFailure = cleanupFailure,
            WalKept = walKept,
            UnverifiedFiles = unverified,
            Discarded = discarded,
        };
    }

    /// <summary>
    /// What <see cref="OperationAttempt{TResult}.Run"/> would do, doing none of it: the same refusals
    /// (AeroDB's running marker, a visibly broken snapshot, a target that is missing or holds two
    /// storage files) and the same sorting of the target's entries. Checksums are not read here; a
    /// preview verifies the snapshot separately.
    /// </summary>
    internal RestorePreview Preview()
    {
        try
        {
            DataDirectoryLayout.ThrowIfRunning(_target.Path, "Restore");
            List<string> recovered = RestoreRecovery.Recover(_target, preview: true);
            using AlignedBufferPool.Lease buffer = _buffers.Rent();
            using OpenedSnapshot snapshot = OpenSnapshot(buffer.Span);
            ReplacedDirectory state = InspectTarget();
            bool walKept = _keepWal && state.HasWal;
            (List<byte[]> keep, List<string> discarded) = SortEntries(walKept, state.Storage.Location);
            return new RestorePreview(
                snapshot.Manifest!.SnapshotId,
                _target.Path,
                DataDirectoryLayout.StorageRelativePath(state.Storage.Location).Replace(Path.DirectorySeparatorChar, '/'),
                walKept,
                [.. keep.Select(static name => DirectoryListing.Printable(name))],
                discarded,
                recovered,
                [.. snapshot.Inventory!.UnlistedFiles.Select(static file => file.RelativePath)]);
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Read);
        }
    }

    private OpenedSnapshot OpenSnapshot(Span<byte> scratch)
    {
        OpenedSnapshot? snapshot = OpenedSnapshot.TryOpen(_snapshotDirectory, scratch, stopAtFirstProblem: false, _options.Strict)
            ?? throw new SnapshotException(SnapshotErrorCode.IO, $"There is no snapshot at '{_snapshotDirectory}'.", SnapshotStep.Read, _snapshotDirectory, Errno.ENOENT);
        if (snapshot.Problems.Count > 0)
        {
            // Structural problems (manifest, missing, extra, links) are known before a byte is
            // written; checksums are checked while copying.
            using (snapshot)
            {
                throw new VerificationReport(_snapshotDirectory, snapshot.Manifest, snapshot.Problems, 0, 0).ToCorruptionError()!;
            }
        }

        return snapshot;
    }

    private ReplacedDirectory InspectTarget()
    {
        if (NativeFile.TryStatus(_target.Parent) is not { Kind: FileKind.Directory })
        {
            throw new SnapshotException(SnapshotErrorCode.Failed, $"The parent of the target, '{_target.Parent}', does not exist or is not a directory.", SnapshotStep.Read, _target.Parent, Errno.ENOENT);
        }

        FileStatus? target = NativeFile.TryStatus(_target.Path);
        if (target is null)
        {
            // The specification's precondition: restore replaces a data directory, it never makes one.
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The target data directory '{_target.Path}' does not exist; a restore replaces an existing data directory and creates nothing. Create it first if a new one is meant.",
                SnapshotStep.Read,
                _target.Path,
                Errno.ENOENT);
        }

        if (target.Value.Kind != FileKind.Directory)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The target '{_target.Path}' is {FileStatus.Describe(target.Value.Kind)}, not a data directory; nothing was changed.",
                SnapshotStep.Read,
                _target.Path);
        }

        FileStatus? metadata = NativeFile.TryStatus(Path.Join(_target.Path, MetadataName));
        if (metadata is { Kind: not FileKind.Directory })
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"'{Path.Join(_target.Path, MetadataName)}' is {FileStatus.Describe(metadata.Value.Kind)}, not a directory; nothing was changed.",
                SnapshotStep.Read,
                Path.Join(_target.Path, MetadataName));
        }

        return ReplacedDirectory.Inspect(_target.Path, target.Value, _options.StorageLocation);
    }

    /// <summary>Moves what the target keeps into the new directory, exchanges the two, deletes the old.</summary>
    private (Exception? CleanupFailure, List<string> Discarded) SwapIntoExisting(string sibling, bool walKept, StorageFileLocation storage)
    {
        Steps.Enter(SnapshotStep.RestoreWriteIntent);

        // Looked at again right before the target is touched: AeroDB may have started meanwhile.
        DataDirectoryLayout.ThrowIfRunning(_target.Path, "Restore");
        (List<byte[]> keep, List<string> discarded) = SortEntries(walKept, storage);

        // Nothing of metadata/ but schemas is carried over, so the marker's metadata list (kept
        // for markers written by earlier versions, which merged metadata/) is empty.
        var intent = new RestoreIntent(_id, keep, []);
        using (DirectoryHandle siblingHandle = DirectoryHandle.Open(sibling))
        {
            intent.WriteDurably(siblingHandle);
        }

        Steps.Enter(SnapshotStep.RestoreMoveEntries);
        Move(_target.Path, sibling, intent.TopLevel, _movedTop);

        Steps.Enter(SnapshotStep.RestoreSyncMoves);
        NativeFile.SyncDirectory(_target.Path);
        NativeFile.SyncDirectory(sibling);

        Steps.Enter(SnapshotStep.RestoreSwap);
        AtomicRename.Exchange(_target.Path, sibling);

        _exchanged = true;

        Steps.Enter(SnapshotStep.RestoreSyncSwap);
        NativeFile.SyncDirectory(_target.Parent);

        // Durable: the restore is complete. The new directory's name now holds the old data, and
        // what follows is tidying up, which a later recovery can finish if it fails here.
        _exchanged = false;
        _sibling = null;
        _movedTop.Clear();
        try
        {
            Steps.Enter(SnapshotStep.RestoreRemoveIntent);
            string marker = Path.Join(_target.Path, RestoreIntent.FileName);
            NativeFile.Remove(marker);

            NativeFile.SyncDirectory(_target.Path);

            Steps.Enter(SnapshotStep.RestoreRemoveOld);
            DirectoryTree.Delete(sibling);
            NativeFile.SyncDirectory(_target.Parent);
            return (null, discarded);
        }
        catch (Exception ex) when (ex is not SimulatedCrashException)
        {
            _options.Logger?.LogCleanupFailed(ex);
            return (ex, discarded);
        }
    }

    /// <summary>
    /// Splits the target's entries: the raw names carried over into the restored directory
    /// (<c>snapshots</c>, and <c>wal</c> when kept), and, for the result, the paths of
    /// those that go with the previous data without being replaced by the snapshot's own.
    /// </summary>
    private (List<byte[]> Keep, List<string> Discarded) SortEntries(bool walKept, StorageFileLocation storage)
    {
        // The storage file the snapshot's replaces: storage.dat, or data/storage.dat (whose
        // directory's other entries go with the previous data, as metadata/'s do).
        string replacedStorage = storage == StorageFileLocation.TopLevel ? SnapshotLayout.StorageFileName : DataDirectoryLayout.DataSubdirectoryName;
        var keep = new List<byte[]>();
        var discarded = new List<string>();
        foreach (DirectoryListing.Entry entry in DirectoryListing.Read(_target.Path))
        {
            if (entry.Name is SnapshotLayout.SnapshotsDirectoryName || (walKept && entry.Name == WalName))
            {
                keep.Add(entry.RawName);
            }
            else if (entry.Name is MetadataName)
            {
                if (NativeFile.TryStatus(Path.Join(_target.Path, MetadataName)) is { Kind: FileKind.Directory })
                {
                    foreach (DirectoryListing.Entry inMetadata in DirectoryListing.Read(Path.Join(_target.Path, MetadataName)))
                    {
                        if (inMetadata.Name != SnapshotLayout.SchemasDirectoryName)
                        {
                            discarded.Add(MetadataName + "/" + (inMetadata.Name ?? DirectoryListing.Printable(inMetadata.RawName)));
                        }
                    }
                }
            }
            else if (entry.Name is DataDirectoryLayout.DataSubdirectoryName && storage == StorageFileLocation.DataSubdirectory)
            {
                if (NativeFile.TryStatus(Path.Join(_target.Path, entry.Name)) is { Kind: FileKind.Directory })
                {
                    foreach (DirectoryListing.Entry inData in DirectoryListing.Read(Path.Join(_target.Path, entry.Name)))
                    {
                        if (inData.Name != SnapshotLayout.StorageFileName)
                        {
                            discarded.Add(entry.Name + "/" + (inData.Name ?? DirectoryListing.Printable(inData.RawName)));
                        }
                    }
                }
                else
                {
                    discarded.Add(entry.Name);
                }
            }
            else if (entry.Name != replacedStorage && entry.Name is not (WalName or LockName))
            {
                discarded.Add(entry.Name ?? DirectoryListing.Printable(entry.RawName));
            }
        }

        keep.Sort(static (a, b) => a.AsSpan().SequenceCompareTo(b));
        discarded.Sort(StringComparer.Ordinal);
        return (keep, discarded);
    }

    private static void Move(string from, string to, IReadOnlyList<byte[]> names, List<byte[]> moved)
    {
        using DirectoryHandle source = DirectoryHandle.Open(from);
        using DirectoryHandle destination = DirectoryHandle.Open(to);
        foreach (byte[] name in names)
        {
            int errno = DirectoryHandle.TryMove(source, name, destination);
            if (errno != 0)
            {
                string path = source.ChildPath(DirectoryListing.Printable(name));
                throw errno is Errno.EINVAL or Errno.ENOSYS
                    ? new NativeIOException("renameat2(RENAME_NOREPLACE)", path, errno, "the file system cannot rename without replacing, which restore needs so that no entry it moves can overwrite another")
                    : Errors.For("renameat2", path, errno);
            }

            moved.Add(name);
        }
    }

    /// <summary>Puts everything back as it was before this restore; returns its own failure, if any.</summary>
    protected override Exception? CleanUp()
    {
        try
        {
            string sibling = _target.SiblingFor(_id);
            if (_exchanged)
            {
                AtomicRename.Exchange(_target.Path, sibling);

                _exchanged = false;
                NativeFile.SyncDirectory(_target.Parent);
            }

            if (_movedTop.Count > 0)
            {
                RestoreRecovery.MoveBack(_target, sibling, new RestoreIntent(_id, _movedTop, []));
                _movedTop.Clear();
            }

            if (_sibling is { } owned)
            {
                DirectoryTree.Delete(owned);
                _sibling = null;
                NativeFile.SyncDirectory(_target.Parent);
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or SnapshotException or UnauthorizedAccessException)
        {
            // The intent marker (when there is one) still tells the next restore or clean-up what to undo.
            _options.Logger?.LogCleanupFailed(ex);
            return ex;
        }
    }
}

using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Precopy;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// <see cref="SnapshotStep.CopySchemas"/> and <see cref="SnapshotStep.SyncSchemas"/>: every directory
/// made, every file copied with its CRC-32, and all of it made durable the way the
/// <see cref="SchemaCopyPolicy"/> says (batched fdatasync after early writeback, one by one, or one
/// <c>syncfs</c>), deepest directories first. Given a pre-copy's <see cref="StagedSchemaTree"/>, the
/// staged files whose source still hashes the same are kept, the others and whatever the source no
/// longer has are removed, and only what is new or changed is copied: the same copy, with less to do.
/// </summary>
internal sealed class SchemaCopy(SchemaCopyPolicy policy, SnapshotOptions options, FileCopier copier, StepCursor steps, string schemaDirectory, StagedSchemaTree? staged = null)
{
    private Dictionary<string, StagedSchemaFile>? _recorded;
    private List<string>? _written;   // files whose sync was deferred

    /// <summary>Staged files kept because their source was unchanged.</summary>
    public int Reused { get; private set; }

    /// <summary>Files copied.</summary>
    public int Copied { get; private set; }

    /// <summary>Staged files removed because their source changed or is gone.</summary>
    public int Removed { get; private set; }

    /// <summary>What each copied file held, when the policy records strong hashes (a pre-copy's); empty otherwise.</summary>
    public IReadOnlyDictionary<string, StagedSchemaFile> Recorded => _recorded ?? [];

    public ChecksumMap Copy(SchemaTree schemas, string destinationRoot, Span<byte> buffer, ProgressReporter progress)
    {
        steps.Enter(SnapshotStep.CopySchemas);
        if (policy.Prefetch)
        {
            PrefetchSchemaSources(schemas);
        }

        var checksums = new Crc32Checksum?[schemas.Files.Count];
        if (staged is null)
        {
            NativeFile.MakeDirectory(destinationRoot, FileModes.Directory);
            foreach (string directory in schemas.Directories)
            {
                NativeFile.MakeDirectory(Path.Join(destinationRoot, directory), FileModes.Directory);
            }
        }
        else
        {
            KeepUnchanged(schemas, staged, destinationRoot, checksums, buffer, progress);
        }

        CopyTheRest(schemas, destinationRoot, checksums, buffer, progress);
        if (!policy.DeferSync)
        {
            steps.Attribute(SnapshotStep.SyncSchemas);
            SyncTree(schemas, destinationRoot);
        }

        var entries = new List<ChecksumEntry>(schemas.Files.Count);
        for (int i = 0; i < schemas.Files.Count; i++)
        {
            entries.Add(new ChecksumEntry(schemas.Files[i].RelativePath, checksums[i]!.Value));
        }

        return entries.Count == 0 ? ChecksumMap.Empty : ChecksumMap.Create(entries);
    }

    /// <summary>
    /// A capture's syncs, after the pause: every file this copy wrote, opened again (never through a
    /// link) and synced in batches, or one <c>syncfs</c>; then the directories, deepest first. Their
    /// writeback was started while they were written, so little is left to wait for.
    /// </summary>
    /// <param name="completion">The completion's step cursor (a capture's completion runs in a frame of its own).</param>
    /// <param name="schemas">The tree that was copied.</param>
    /// <param name="destinationRoot">Where it was copied.</param>
    public void SyncDeferred(StepCursor completion, SchemaTree schemas, string destinationRoot)
    {
        completion.Enter(SnapshotStep.SyncSchemas);
        if (policy.Sync != SchemaSyncMode.SyncFs)
        {
            using var batch = new SyncBatch(policy.DataOnly, policy.DropCachedPages);
            foreach (string relative in _written ?? [])
            {
                string path = Path.Join(destinationRoot, relative);
                if (batch.Add(NativeFile.OpenForSync(path, directory: false), path))
                {
                    batch.Flush();
                }
            }

            batch.Flush();
        }

        SyncTree(schemas, destinationRoot);
    }

    /// <summary>
    /// One syncfs, or the directories deepest first: each one's entries are durable before its
    /// parent's. Those a pre-copy synced already cost a system call each and no I/O.
    /// </summary>
    private static void SyncTree(SchemaTree schemas, string destinationRoot, SchemaSyncMode mode)
    {
        if (mode == SchemaSyncMode.SyncFs)
        {
            NativeFile.SyncFileSystem(destinationRoot);
            return;
        }

        for (int i = schemas.Directories.Count - 1; i >= 0; i--)
        {
            NativeFile.SyncDirectory(Path.Join(destinationRoot, schemas.Directories[i]));
        }

        NativeFile.SyncDirectory(destinationRoot);
    }

    private void SyncTree(SchemaTree schemas, string destinationRoot) => SyncTree(schemas, destinationRoot, policy.Sync);

    /// <summary>
    /// Small files: write a batch, start each one's writeback at once, then fdatasync the batch, so the
    /// disk works on all of them together instead of one fsync round trip per file. A capture only
    /// starts the writeback and leaves the syncs to <see cref="SyncDeferred"/>.
    /// </summary>
    private void CopyTheRest(SchemaTree schemas, string destinationRoot, Crc32Checksum?[] checksums, Span<byte> buffer, ProgressReporter progress)
    {
        if (policy.RecordStrongHashes)
        {
            _recorded = new Dictionary<string, StagedSchemaFile>(schemas.Files.Count, StringComparer.Ordinal);
        }

        using var batch = new SyncBatch(policy.DataOnly, policy.DropCachedPages, policy.Sync == SchemaSyncMode.EachAsWritten ? 1 : SyncBatch.DefaultCapacity);
        for (int i = 0; i < schemas.Files.Count; i++)
        {
            if (checksums[i] is not null)
            {
                continue;
            }

            string relative = schemas.Files[i].RelativePath;
            string sourcePath = Path.Join(schemaDirectory, relative);
            string destinationPath = Path.Join(destinationRoot, relative);
            using SafeFileHandle source = NativeFile.OpenRegularForRead(sourcePath, out _);
            SafeFileHandle destination = NativeFile.CreateNew(destinationPath, FileModes.ReadOnlyFile);
            bool full = batch.Add(destination, destinationPath);
            ChunkHashes? strong = policy.RecordStrongHashes ? ChunkHashes.Record(ChunkHashes.WholeFile) : null;
            CopiedFile copy = copier.Copy(new CopyJob
            {
                Source = source,
                SourcePath = sourcePath,
                Destination = destination,
                DestinationPath = destinationPath,
                Buffer = buffer,
                ChunkHashes = strong,
                Progress = progress,
                Cancellation = options.CancellationToken,
            });
            checksums[i] = copy.Checksum;
            Copied++;
            if (strong is not null)
            {
                _recorded!.Add(relative, new StagedSchemaFile(copy.Length, copy.Checksum, strong.Hashes[0]));
            }

            if (policy.Sync == SchemaSyncMode.Batched)
            {
                NativeFile.StartWriteback(destination, destinationPath);
            }

            if (policy.DeferSync || policy.Sync == SchemaSyncMode.SyncFs)
            {
                // Synced later (the completion's syncs, or one syncfs at the end): nothing to hold open.
                (_written ??= []).Add(relative);
                batch.Dispose();
                continue;
            }

            if (full)
            {
                steps.Attribute(SnapshotStep.SyncSchemas);
                batch.Flush();
                steps.Attribute(SnapshotStep.CopySchemas);
            }
        }

        if (!policy.DeferSync)
        {
            steps.Enter(SnapshotStep.SyncSchemas);
            batch.Flush();
        }
    }

    /// <summary>
    /// Keeps each staged file whose source still has its length and strong hash; removes the others
    /// and the staged directories the source no longer has (deepest first, empty by then), and makes
    /// the source's directories the stage lacks.
    /// </summary>
    private void KeepUnchanged(SchemaTree schemas, StagedSchemaTree tree, string destinationRoot, Crc32Checksum?[] checksums, Span<byte> buffer, ProgressReporter progress)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < schemas.Files.Count; i++)
        {
            SchemaFile file = schemas.Files[i];
            if (!tree.Files.TryGetValue(file.RelativePath, out StagedSchemaFile copy) || copy.Length != file.Size)
            {
                continue;
            }

            string sourcePath = Path.Join(schemaDirectory, file.RelativePath);
            using SafeFileHandle source = NativeFile.OpenRegularForRead(sourcePath, out _);
            var same = ChunkHashes.Compare([copy.StrongHash], ChunkHashes.WholeFile);
            long read = copier.Copy(new CopyJob
            {
                Source = source,
                SourcePath = sourcePath,
                Buffer = buffer,
                WithoutCrc = true,
                ChunkHashes = same,
                Cancellation = options.CancellationToken,
            }).Length;
            if (read == copy.Length && same.FirstDifference < 0)
            {
                checksums[i] = copy.Checksum;
                kept.Add(file.RelativePath);
                Reused++;
                progress.Advance(copy.Length, sourcePath);
            }
        }

        var sourceFiles = new HashSet<string>(schemas.Files.Select(static f => f.RelativePath), StringComparer.Ordinal);
        foreach (string path in tree.Files.Keys)
        {
            if (kept.Contains(path))
            {
                continue;
            }

            if (sourceFiles.Contains(path))
            {
                options.Logger?.LogSchemaChanged(path);
            }

            NativeFile.Remove(Path.Join(destinationRoot, path));
            Removed++;
        }

        var sourceDirectories = new HashSet<string>(schemas.Directories, StringComparer.Ordinal);
        for (int i = tree.Directories.Count - 1; i >= 0; i--)
        {
            if (!sourceDirectories.Contains(tree.Directories[i]))
            {
                NativeFile.RemoveDirectory(Path.Join(destinationRoot, tree.Directories[i]));
            }
        }

        var stagedDirectories = new HashSet<string>(tree.Directories, StringComparer.Ordinal);
        foreach (string directory in schemas.Directories)
        {
            if (!stagedDirectories.Contains(directory))
            {
                NativeFile.MakeDirectory(Path.Join(destinationRoot, directory), FileModes.Directory);
            }
        }
    }

    /// <summary>
    /// Asks the kernel to read every schema source ahead (<c>POSIX_FADV_WILLNEED</c>) before the
    /// copy starts. The requests are queued together, so the disk serves many small files at once
    /// instead of one synchronous read per file, and the copy then finds them in memory: more I/O
    /// in flight from one thread, with no extra threads and no asynchronous API. A source that
    /// cannot be opened fails the snapshot here, before anything is copied, as the copy would.
    /// </summary>
    private void PrefetchSchemaSources(SchemaTree schemas)
    {
        foreach (SchemaFile file in schemas.Files)
        {
            NativeFile.StartReadAhead(Path.Join(schemaDirectory, file.RelativePath));
        }
    }
}

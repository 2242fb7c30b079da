using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// <see cref="SnapshotStep.CopySchemas"/> and <see cref="SnapshotStep.SyncSchemas"/>: every directory made, every file copied with its CRC-32, and
/// all of it made durable in the way <see cref="SnapshotOptions.SchemaSync"/> chooses (batched
/// fdatasync after early writeback, one by one, or one <c>syncfs</c>), deepest directories first.
/// </summary>
internal sealed class SchemaCopy(SnapshotOptions options, FileCopier copier, StepCursor steps, string schemaDirectory)
{
    private const int SchemaSyncBatch = 128; // open descriptors held while schema writeback runs

    public ChecksumMap Copy(SchemaTree schemas, string destinationRoot, Span<byte> buffer, ProgressReporter progress)
    {
        steps.Enter(SnapshotStep.CopySchemas);
        NativeFile.MakeDirectory(destinationRoot, FileModes.Directory);
        foreach (string directory in schemas.Directories)
        {
            NativeFile.MakeDirectory(Path.Join(destinationRoot, directory), FileModes.Directory);
        }

        // Small files: write a batch, start each one's writeback at once, then fdatasync the batch.
        // The disk works on all of them together instead of one fsync round trip per file.
        if (options.PrefetchSchemas)
        {
            PrefetchSchemaSources(schemas);
        }

        var entries = new List<ChecksumEntry>(schemas.Files.Count);
        var pending = new List<(SafeFileHandle Handle, string Path)>(SchemaSyncBatch);
        try
        {
            foreach (SchemaFile file in schemas.Files)
            {
                string sourcePath = Path.Join(schemaDirectory, file.RelativePath);
                string destinationPath = Path.Join(destinationRoot, file.RelativePath);
                using SafeFileHandle source = NativeFile.OpenRegularForRead(sourcePath, out _);
                SafeFileHandle destination = NativeFile.CreateNew(destinationPath, FileModes.ReadOnlyFile);
                pending.Add((destination, destinationPath));
                Crc32Checksum checksum = copier.Copy(new CopyJob
                {
                    Source = source,
                    SourcePath = sourcePath,
                    Destination = destination,
                    DestinationPath = destinationPath,
                    Buffer = buffer,
                    Progress = progress,
                    Cancellation = options.CancellationToken,
                }).Checksum;
                entries.Add(new ChecksumEntry(file.RelativePath, checksum));
                if (options.SchemaSync == SchemaSyncMode.Batched)
                {
                    NativeFile.StartWriteback(destination, destinationPath);
                }

                if (options.SchemaSync == SchemaSyncMode.SyncFs)
                {
                    destination.Dispose();
                    pending.Clear();
                }
                else if (pending.Count == SchemaSyncBatch || options.SchemaSync == SchemaSyncMode.EachAsWritten)
                {
                    SyncAndClose(pending);
                    steps.Attribute(SnapshotStep.CopySchemas);
                }
            }

            steps.Enter(SnapshotStep.SyncSchemas);
            SyncAndClose(pending);
        }
        finally
        {
            foreach ((SafeFileHandle handle, _) in pending)
            {
                handle.Dispose();
            }
        }

        steps.Attribute(SnapshotStep.SyncSchemas);
        if (options.SchemaSync == SchemaSyncMode.SyncFs)
        {
            NativeFile.SyncFileSystem(destinationRoot);

            return entries.Count == 0 ? ChecksumMap.Empty : ChecksumMap.Create(entries);
        }

        // Deepest directories first: each one's entries are durable before its parent's.
        for (int i = schemas.Directories.Count - 1; i >= 0; i--)
        {
            NativeFile.SyncDirectory(Path.Join(destinationRoot, schemas.Directories[i]));
        }

        NativeFile.SyncDirectory(destinationRoot);
        return entries.Count == 0 ? ChecksumMap.Empty : ChecksumMap.Create(entries);
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

    private void SyncAndClose(List<(SafeFileHandle Handle, string Path)> pending)
    {
        steps.Attribute(SnapshotStep.SyncSchemas);
        NativeFile.SyncAndCloseAll(pending, dataOnly: !options.SyncFilesWithFsync);
    }
}

using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Verification;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Restoring;

/// <summary>
/// Copies a snapshot whose manifest and file set were already checked into a new data directory
/// (<c>storage.dat</c>, <c>metadata/schemas/**</c>), verifying while copying: each file's CRC-32 is
/// computed over the very buffers written and must be the manifest's, so the data is read once
/// and what lands on disk is what was verified. Every file is made durable before this returns;
/// the directories are left to the caller, which syncs them deepest first. Every file and directory
/// made gets the modes and the owner of <see cref="RestoredModes"/>, set on its descriptor.
/// </summary>
internal sealed class RestoreCopier
{

    private readonly SnapshotOptions _options;
    private readonly FileCopier _copier = new();

    public RestoreCopier(SnapshotOptions options) => _options = options;

    /// <summary>Directories created under the destination, parents first (relative, <c>/</c> separators).</summary>
    public List<string> CreatedDirectories { get; } = [];

    public long BytesCopied { get; private set; }

    public int FilesCopied { get; private set; }

    /// <summary>Copies <paramref name="snapshot"/> into the existing, empty <paramref name="destination"/>.</summary>
    /// <param name="snapshot">The opened snapshot; its inventory must have found no problem.</param>
    /// <param name="destination">The new data directory.</param>
    /// <param name="storage">Where the storage file goes and its permission bits (the old one's, when there was one).</param>
    /// <param name="modes">Owner and modes of everything else written.</param>
    /// <param name="buffer">The pooled copy buffer.</param>
    /// <exception cref="SnapshotException"><c>AERO_DATA_CORRUPTION</c> when a file does not match its checksum.</exception>
    /// <exception cref="NativeIOException">A read, write or fsync failed.</exception>
    public void Copy(OpenedSnapshot snapshot, string destination, RestoredStorage storage, RestoredModes modes, Span<byte> buffer)
    {
        SnapshotInventory inventory = snapshot.Inventory!;
        string schemasRoot = Path.Join(destination, SnapshotLayout.DataSchemasPath);
        MakeDirectory(destination, "metadata", modes.NewDirectory, modes);
        MakeDirectory(destination, SnapshotLayout.DataSchemasPath, modes.NewDirectory, modes);
        foreach (string directory in inventory.SchemaDirectories)
        {
            MakeDirectory(destination, SnapshotLayout.DataSchemasPath + "/" + directory, modes.NewDirectory, modes);
        }

        if (storage.Location == StorageFileLocation.DataSubdirectory)
        {
            MakeDirectory(destination, DataDirectoryLayout.DataSubdirectoryName, storage.DirectoryPermissions, modes);
        }

        var progress = new ProgressReporter(_options.Progress, inventory.TotalBytes + inventory.UnlistedBytes);
        using var batch = new SyncBatch(dataOnly: true);
        using var chain = new DirectoryChain(snapshot.Handle!);

        // The whole schema tree is restored: listed files, verified as they are copied, then the
        // unlisted ones a reference-written snapshot may hold, which nothing can verify.
        foreach (InventoryFile file in inventory.Files.Concat(inventory.UnlistedFiles))
        {
            bool isStorage = file.SchemaKey is null;
            string target = isStorage ? Path.Join(destination, DataDirectoryLayout.StorageRelativePath(storage.Location)) : Path.Join(schemasRoot, file.SchemaKey);
            SafeFileHandle destinationHandle = CopyOne(snapshot, chain, file, target, isStorage ? storage.Permissions : modes.NewFile, modes.Owner, buffer, progress);
            if (isStorage)
            {
                // The big file was written back as it went (see WritebackWindow) and synced by CopyOne.
                destinationHandle.Dispose();
            }
            else if (batch.Add(destinationHandle, target))
            {
                batch.Flush();
            }
        }

        batch.Flush();
    }

    private SafeFileHandle CopyOne(OpenedSnapshot snapshot, DirectoryChain chain, InventoryFile file, string target, uint permissions, Ownership owner, Span<byte> buffer, ProgressReporter progress)
    {
        string sourcePath = Path.Join(snapshot.Directory, file.RelativePath);
        SafeFileHandle source;
        FileStatus status;
        try
        {
            source = chain.OpenForRead(file.RelativePath, out status);
        }
        catch (NativeIOException ex) when (ex.Errno is Errno.ENOENT or Errno.ENOTDIR or Errno.ELOOP)
        {
            throw Corruption(SnapshotVerifier.ReadFailure(file, ex), snapshot.Directory);
        }

        using (source)
        {
            if (status.Kind != FileKind.Regular)
            {
                throw Corruption(new VerificationProblem(VerificationProblemKind.NotARegularFile, file.RelativePath, $"{file.RelativePath} is {FileStatus.Describe(status.Kind)}, not a regular file."), snapshot.Directory);
            }

            SafeFileHandle destination = NativeFile.CreateNew(target, permissions);
            try
            {
                // The mode given to open(2) is filtered by the umask; the bits are set exactly, and the
                // owner given, on the descriptor, before a byte is written.
                NativeFile.SetModeAndOwner(destination, target, permissions, owner);

                bool isStorage = file.SchemaKey is null;
                if (isStorage && _options.Preallocate && status.Size > 0)
                {
                    NativeFile.Preallocate(destination, target, status.Size);
                }

                (Crc32Checksum actual, long length, WritebackWindow writeback) = _copier.Copy(new CopyJob
                {
                    Source = source,
                    SourcePath = sourcePath,
                    Destination = destination,
                    DestinationPath = target,
                    Buffer = buffer,
                    WritebackWindowBytes = isStorage ? _options.WritebackWindowBytes : 0,
                    Progress = progress,
                    Cancellation = _options.CancellationToken,
                });
                if (file.Expected is { } expected && actual != expected)
                {
                    throw Corruption(
                        new VerificationProblem(
                            VerificationProblemKind.ChecksumMismatch,
                            file.RelativePath,
                            $"{file.RelativePath}: the manifest records {expected} but its {length} bytes have {actual}.",
                            expected,
                            actual),
                        snapshot.Directory);
                }

                if (isStorage)
                {
                    NativeFile.Sync(destination, target, dataOnly: true);
                    writeback.OnSynced(destination);
                }
                else
                {
                    NativeFile.StartWriteback(destination, target);
                }

                BytesCopied += length;
                FilesCopied++;
                return destination;
            }
            catch
            {
                destination.Dispose();
                throw;
            }
        }
    }

    private static SnapshotException Corruption(VerificationProblem problem, string snapshotDirectory)
        => new VerificationReport(snapshotDirectory, null, [problem], 0, 0).ToCorruptionError()!;

    /// <summary>Makes a directory (mkdir never follows a link) and gives it its mode and owner through a descriptor.</summary>
    private void MakeDirectory(string destination, string relative, uint mode, RestoredModes modes)
    {
        string path = Path.Join(destination, relative);
        NativeFile.MakeDirectory(path, mode);
        NativeFile.SetDirectoryModeAndOwner(path, mode, modes.Owner);
        CreatedDirectories.Add(relative);
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Hashing;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Precopy;

/// <summary>
/// The pre-copy, run before the pause while the database still writes: the ordinary preparation,
/// then the storage file's current prefix and the schema tree copied into
/// <c>snapshots/.precopy-&lt;random&gt;</c> with the writeback window, fdatasync'd, their pages
/// dropped, and their CRC-32 and strong hashes remembered. Anything it copies that the database
/// changes meanwhile is caught by the pause's re-hash; nothing here has to be point-in-time.
/// </summary>
internal static class PrecopyWriter
{
    public const string Prefix = ".precopy-";
    private const uint ReadOnlyFileMode = 0b100_100_100;   // 0444, as every snapshot file
    private const uint DirectoryMode = 0b111_101_101;      // 0755
    private const int SchemaSyncBatch = 128;

    public static SnapshotPrecopy Write(string dataDirectory, string storagePath, string schemaDirectory, SnapshotOptions options, AlignedBufferPool buffers)
    {
        long start = Stopwatch.GetTimestamp();
        SnapshotPreparation preparation = SnapshotPreparer.Prepare(dataDirectory, storagePath, warmSource: false, buffers);
        FileIdentity dataIdentity = FileIdentity.Of(dataDirectory) ?? throw Errors.For("statx", dataDirectory, Errno.ENOENT);
        string snapshots = Path.Join(dataDirectory, SnapshotLayout.SnapshotsDirectoryName);
        if (NativeFile.TryStatus(snapshots) is not { Kind: FileKind.Directory })
        {
            // As CreateSnapshot: snapshots are only ever written into a real directory; a link there is not followed.
            throw new HostileTreeException(snapshots, $"'{SnapshotLayout.SnapshotsDirectoryName}' is {FileStatus.Describe(NativeFile.TryStatus(snapshots)?.Kind ?? FileKind.Unknown)}, not a directory; nothing was written");
        }

        string staging = Path.Join(snapshots, Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        NativeFile.MakeDirectory(staging, DirectoryMode);
        SafeFileHandle? staged = null;
        try
        {
            FileIdentity stagingIdentity = FileIdentity.Of(staging) ?? throw Errors.For("statx", staging, Errno.ENOENT);
            using AlignedBufferPool.Lease buffer = buffers.Rent();
            var copier = new PrecopyCopier(options.PrecopyChunkBytes);

            using SafeFileHandle source = NativeFile.OpenRegularForRead(storagePath, out FileStatus sourceStatus);
            FileIdentity storageIdentity = FileIdentity.Of(source, storagePath);
            string stagedPath = Path.Join(staging, SnapshotLayout.StorageFileName);
            staged = NativeFile.CreateNew(stagedPath, ReadOnlyFileMode);
            var crc = new StreamingCrc32();
            var chunkHashes = new List<UInt128>();
            var writeback = new WritebackWindow(options.WritebackWindowBytes);
            long prefix = copier.CopyPrefix(source, storagePath, staged, stagedPath, sourceStatus.Size, crc, chunkHashes, buffer.Span, ref writeback, options.CancellationToken);
            NativeFile.Sync(staged, stagedPath, dataOnly: true);

            // The window leaves the last partial window's pages; drop them all so nothing of the
            // copy stays in the page cache where the database's working set lives.
            NativeFile.DropCachedPages(staged);

            (List<string> directories, Dictionary<string, StagedSchemaFile> files) = CopySchemas(
                schemaDirectory, Path.Join(staging, SnapshotLayout.SchemasDirectoryName), copier, buffer.Span, options.CancellationToken);
            NativeFile.SyncDirectory(staging);

            var precopy = new SnapshotPrecopy(
                preparation, dataDirectory, dataIdentity, Path.GetFullPath(schemaDirectory), staging, stagingIdentity, storageIdentity, staged,
                prefix, crc, copier.ChunkBytes, chunkHashes, directories, files, Stopwatch.GetElapsedTime(start));
            staged = null;
            return precopy;
        }
        catch
        {
            staged?.Dispose();
            try
            {
                DirectoryTree.Delete(staging);
            }
            catch (IOException)
            {
                // A leftover by its name: the next preparation, snapshot or clean removes it.
            }

            throw;
        }
    }

    private static (List<string> Directories, Dictionary<string, StagedSchemaFile> Files) CopySchemas(
        string schemaDirectory, string destinationRoot, PrecopyCopier copier, Span<byte> buffer, CancellationToken cancellationToken)
    {
        SchemaTree tree = SchemaTree.Scan(schemaDirectory);
        NativeFile.MakeDirectory(destinationRoot, DirectoryMode);
        var directories = new List<string>(tree.Directories);
        foreach (string directory in directories)
        {
            NativeFile.MakeDirectory(Path.Join(destinationRoot, directory), DirectoryMode);
        }

        var files = new Dictionary<string, StagedSchemaFile>(tree.Files.Count, StringComparer.Ordinal);
        var crc = new StreamingCrc32();
        var pending = new List<(SafeFileHandle Handle, string Path)>(SchemaSyncBatch);
        try
        {
            foreach (SchemaFile file in tree.Files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string sourcePath = Path.Join(schemaDirectory, file.RelativePath);
                string destinationPath = Path.Join(destinationRoot, file.RelativePath);
                using SafeFileHandle source = NativeFile.OpenRegularForRead(sourcePath, out _);
                SafeFileHandle destination = NativeFile.CreateNew(destinationPath, ReadOnlyFileMode);
                pending.Add((destination, destinationPath));
                long length = copier.CopyWhole(source, sourcePath, destination, destinationPath, crc, buffer, out UInt128 strong);
                files.Add(file.RelativePath, new StagedSchemaFile(length, new Crc32Checksum(crc.GetCurrentHashAsUInt32()), strong));
                NativeFile.StartWriteback(destination, destinationPath);
                if (pending.Count == SchemaSyncBatch)
                {
                    SyncDropAndClose(pending);
                }
            }

            SyncDropAndClose(pending);
        }
        finally
        {
            foreach ((SafeFileHandle handle, _) in pending)
            {
                handle.Dispose();
            }
        }

        for (int i = directories.Count - 1; i >= 0; i--)
        {
            NativeFile.SyncDirectory(Path.Join(destinationRoot, directories[i]));
        }

        NativeFile.SyncDirectory(destinationRoot);
        return (directories, files);
    }

    private static void SyncDropAndClose(List<(SafeFileHandle Handle, string Path)> pending)
    {
        foreach ((SafeFileHandle handle, string path) in pending)
        {
            NativeFile.Sync(handle, path, dataOnly: true);
            NativeFile.DropCachedPages(handle);
        }

        foreach ((SafeFileHandle handle, _) in pending)
        {
            handle.Dispose();
        }

        pending.Clear();
    }
}

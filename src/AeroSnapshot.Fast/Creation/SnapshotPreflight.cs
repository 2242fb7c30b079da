using System.Text;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// The <see cref="SnapshotStep.Prepare"/> step: everything that can refuse a snapshot before a byte is copied, so that a
/// refusal costs nothing and the long copy never starts only to fail on something knowable. Opens
/// the storage file, checks the schema tree's links, path lengths and the free space, and makes
/// <c>snapshots/</c> when it is missing.
/// </summary>
internal static class SnapshotPreflight
{
    public static SourceFile OpenStorage(SnapshotRequest request)
    {
        if (request.StorageHandle is { } handle)
        {
            FileStatus status = NativeFile.Status(handle, request.StoragePath);
            if (status.Kind != FileKind.Regular)
            {
                throw new HostileTreeException(request.StoragePath, $"the storage file is {FileStatus.Describe(status.Kind)}");
            }

            return new SourceFile(handle, request.StoragePath, status, ownsHandle: false);
        }

        FileStatus? pathStatus = NativeFile.TryStatus(request.StoragePath);
        if (pathStatus is null)
        {
            throw new SnapshotException(SnapshotErrorCode.Failed, $"The storage file '{request.StoragePath}' does not exist.", SnapshotStep.Prepare, request.StoragePath, Errno.ENOENT);
        }

        if (pathStatus.Value.Kind != FileKind.Regular)
        {
            throw new HostileTreeException(request.StoragePath, $"the storage path is {FileStatus.Describe(pathStatus.Value.Kind)}, not a regular file");
        }

        SafeFileHandle opened = NativeFile.OpenRegularForRead(request.StoragePath, out FileStatus openedStatus);
        return new SourceFile(opened, request.StoragePath, openedStatus, ownsHandle: true);
    }

    /// <summary>
    /// One rule for links on the way to the schemas: when the schema directory is inside the data
    /// directory (the AeroDB layout, <c>metadata/schemas</c>), every directory between the two must
    /// be a real directory, not a symbolic link, exactly as the schema directory itself must be
    /// (<see cref="SchemaTree"/>). Following a link there would snapshot a tree from anywhere on the
    /// machine under the data directory's name. A schema directory given explicitly outside the data
    /// directory is the caller's choice of path; only its last component is held to the rule.
    /// </summary>
    public static void RefuseLinksOnTheWayToSchemas(string dataDirectory, string schemaDirectory)
    {
        string relative = Path.GetRelativePath(Path.GetFullPath(dataDirectory), Path.GetFullPath(schemaDirectory));
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return;
        }

        string current = Path.GetFullPath(dataDirectory);
        string[] components = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < components.Length - 1; i++)
        {
            current = Path.Join(current, components[i]);
            FileStatus? status = NativeFile.TryStatus(current);
            if (status is null)
            {
                return; // no schema directory below a missing one: an empty tree, as in the reference
            }

            if (status.Value.Kind != FileKind.Directory)
            {
                throw new HostileTreeException(current, $"it is {FileStatus.Describe(status.Value.Kind)} on the way to the schema directory, not a directory; links there are never followed");
            }
        }
    }

    /// <summary>
    /// Creates <c>snapshots/</c> if needed; returns true when this call created it. Anything else
    /// standing at that name (a file, a symbolic link, dangling or not) is refused by name: a
    /// snapshot is only ever written into a real directory of the data directory.
    /// </summary>
    public static bool EnsureSnapshotsDirectory(string path)
    {
        if (NativeFile.TryMakeDirectory(path, FileModes.Directory))
        {
            return true;
        }

        FileStatus? existing = NativeFile.TryStatus(path);
        if (existing is null or { Kind: FileKind.Directory })
        {
            // Gone again between the two calls is as good as a directory: the next mkdir below it reports.
            return false;
        }

        throw new HostileTreeException(path, $"'{SnapshotLayout.SnapshotsDirectoryName}' is {FileStatus.Describe(existing.Value.Kind)}, not a directory; snapshots are only written into a real directory, and it was left as it is{(existing.Value.Kind == FileKind.SymbolicLink ? " (not followed)" : string.Empty)}");
    }

    /// <summary>
    /// Refuses a schema tree whose copy cannot be made because a path in the staging directory would
    /// be longer than a system call takes (PATH_MAX, 4096 bytes with the NUL), naming the source
    /// path. The copy would meet the same ENAMETOOLONG, but only after the whole storage file, while
    /// writes are paused; the staging root is longer than <c>metadata/schemas</c>, so a source tree
    /// that was readable can still not fit.
    /// </summary>
    public static void CheckPathLengths(string schemaDirectory, string stagingSchemas, SchemaTree schemas)
    {
        const int PathMax = 4096;
        int prefix = Encoding.UTF8.GetByteCount(stagingSchemas) + 1;
        foreach (string relative in schemas.Directories.Concat(schemas.Files.Select(static f => f.RelativePath)))
        {
            int length = prefix + Encoding.UTF8.GetByteCount(relative);
            if (length >= PathMax)
            {
                string source = Path.Join(schemaDirectory, relative);
                throw new SnapshotException(
                    SnapshotErrorCode.Failed,
                    $"Snapshot step Prepare refused the source: '{source}' cannot be copied: its copy in the staging directory would have a path of {length} bytes, and the system takes at most {PathMax - 1}.",
                    SnapshotStep.Prepare,
                    source,
                    Errno.ENAMETOOLONG);
            }
        }
    }

    public static void CheckFreeSpace(string snapshotsDirectory, long storageBytes, SchemaTree schemas)
    {
        (long blockSize, long available) = NativeFile.FreeSpace(snapshotsDirectory);
        long block = Math.Max(blockSize, 512);
        long RoundUp(long bytes) => (bytes + block - 1) / block * block;

        // Files rounded up to whole blocks, one block per directory, and the manifest (≈ 100 bytes
        // per schema file). Indirect blocks and journal are not counted: this check exists to fail
        // early on the obvious case; fallocate and the copy itself still catch the rest.
        long needed = RoundUp(storageBytes) + (block * (schemas.Directories.Count + 2)) + RoundUp(1024 + (100L * schemas.Files.Count));
        foreach (SchemaFile file in schemas.Files)
        {
            needed += RoundUp(file.Size);
        }

        if (available < needed)
        {
            throw new SnapshotException(
                SnapshotErrorCode.IO,
                $"Not enough free space in '{snapshotsDirectory}': the snapshot needs about {needed} bytes and {available} are available.",
                SnapshotStep.Prepare,
                snapshotsDirectory,
                Errno.ENOSPC);
        }
    }
}

using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Verification;

/// <summary>
/// Verification of one snapshot: the checks <see cref="OpenedSnapshot"/> makes without reading
/// data, then every listed file read once, its CRC-32 streamed through one pooled buffer and
/// compared with the manifest. Problems are collected, not thrown: the report lists every one
/// (or the first, with <see cref="SnapshotOptions.StopAtFirstProblem"/>). The read loop allocates
/// nothing, so verifying 256 MiB costs the same managed memory as verifying 1 MiB.
/// </summary>
internal sealed class SnapshotVerifier
{
    private readonly SnapshotOptions _options;
    private readonly AlignedBufferPool _buffers;
    private readonly FileCopier _copier = new();

    public SnapshotVerifier(SnapshotOptions options, AlignedBufferPool buffers)
    {
        _options = options;
        _buffers = buffers;
    }

    /// <summary>Verifies <paramref name="snapshotDirectory"/>; a path where nothing exists is an error.</summary>
    /// <exception cref="SnapshotException">Nothing exists at the path, or its status cannot be read.</exception>
    public VerificationReport Verify(string snapshotDirectory)
        => TryVerify(snapshotDirectory) ?? throw new SnapshotException(
            SnapshotErrorCode.IO,
            $"There is no snapshot at '{snapshotDirectory}'.",
            SnapshotStep.Read,
            snapshotDirectory,
            Errno.ENOENT);

    /// <summary>Verifies <paramref name="snapshotDirectory"/>; null when nothing exists there (it may have just been pruned).</summary>
    /// <exception cref="SnapshotException">The snapshot path's own status cannot be read.</exception>
    public VerificationReport? TryVerify(string snapshotDirectory) => TryVerify(null, snapshotDirectory, out _);

    /// <summary>
    /// Verifies the snapshot named by the last component of <paramref name="snapshotDirectory"/>,
    /// opened relative to <paramref name="parent"/> when one is given, and says which directory
    /// was verified (<paramref name="verified"/>; null when none could be opened), so that the caller
    /// can check that what it goes on to change is that very directory.
    /// </summary>
    public VerificationReport? TryVerify(DirectoryHandle? parent, string snapshotDirectory, out FileIdentity? verified)
    {
        verified = null;
        using AlignedBufferPool.Lease buffer = _buffers.Rent();
        OpenedSnapshot? opened;
        try
        {
            opened = OpenedSnapshot.TryOpen(parent, snapshotDirectory, buffer.Span, _options.StopAtFirstProblem, _options.Strict);
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Read);
        }

        if (opened is null)
        {
            return null;
        }

        using (opened)
        {
            try
            {
                verified = opened.Handle?.Identity();
            }
            catch (NativeIOException ex)
            {
                throw SnapshotException.FromNative(ex, SnapshotStep.Read);
            }

            long bytes = 0;
            int files = 0;
            if (opened.Inventory is { } inventory && !(_options.StopAtFirstProblem && opened.Problems.Count > 0))
            {
                ChecksumFiles(opened, inventory, buffer.Span, ref bytes, ref files);
            }

            return new VerificationReport(snapshotDirectory, opened.Manifest, opened.Problems, bytes, files) { Unlisted = opened.Unlisted };
        }
    }

    private void ChecksumFiles(OpenedSnapshot opened, SnapshotInventory inventory, Span<byte> buffer, ref long bytes, ref int files)
    {
        List<VerificationProblem> problems = opened.Problems;
        var progress = new ProgressReporter(_options.Progress, inventory.TotalBytes);
        using var chain = new DirectoryChain(opened.Handle!);
        foreach (InventoryFile file in inventory.Files)
        {
            if (_options.StopAtFirstProblem && problems.Count > 0)
            {
                return;
            }

            _options.CancellationToken.ThrowIfCancellationRequested();
            string path = Path.Join(opened.Directory, file.RelativePath);
            try
            {
                // The test hook runs where a read failure would surface, so an injected I/O error
                // is reported exactly as a real one would be.
                _options.BeforeStep?.Invoke(SnapshotStep.Read);
                using SafeFileHandle handle = chain.OpenForRead(file.RelativePath, out FileStatus status);
                if (status.Kind != FileKind.Regular)
                {
                    problems.Add(new VerificationProblem(VerificationProblemKind.NotARegularFile, file.RelativePath, $"{file.RelativePath} is {FileStatus.Describe(status.Kind)}, not a regular file; it was not read."));
                    continue;
                }

                (Crc32Checksum actual, long length, _) = _copier.Copy(new CopyJob { Source = handle, SourcePath = path, Buffer = buffer, Progress = progress, Cancellation = _options.CancellationToken });
                bytes += length;
                files++;
                if (actual != file.Expected)
                {
                    problems.Add(new VerificationProblem(
                        VerificationProblemKind.ChecksumMismatch,
                        file.RelativePath,
                        $"{file.RelativePath}: the manifest records {file.Expected} but its {length} bytes have {actual}.",
                        file.Expected,
                        actual));
                }
            }
            catch (NativeIOException ex)
            {
                problems.Add(ReadFailure(file, ex));
            }
        }
    }

    /// <summary>What a failed open or read of a listed file means; it was a regular file when listed.</summary>
    internal static VerificationProblem ReadFailure(InventoryFile file, NativeIOException ex) => ex.Errno switch
    {
        Errno.ENOENT or Errno.ENOTDIR => new VerificationProblem(VerificationProblemKind.FileMissing, file.RelativePath, $"{file.RelativePath} disappeared while the snapshot was read.", file.Expected),
        Errno.ELOOP => new VerificationProblem(VerificationProblemKind.NotARegularFile, file.RelativePath, $"{file.RelativePath} (or a directory above it) became a symbolic link while the snapshot was read; it was not followed.", file.Expected),
        _ => new VerificationProblem(VerificationProblemKind.Unreadable, file.RelativePath, ex.Message, file.Expected, Errno: ex.Errno),
    };
}

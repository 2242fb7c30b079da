using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Wal;

/// <summary>
/// Validates a WAL file as AeroDB's reader would read it, streaming it once through a pooled buffer. A
/// missing or unreadable file is an I/O error; a WAL the reader would refuse is <c>AERO_WAL_CORRUPTION</c> (FATAL).
/// </summary>
internal static class WalValidator
{
    /// <summary>The invariant a bad record breaks: every WAL record is whole and checksummed.</summary>
    public const string Invariant = "K2";

    public static WalSummary Validate(string path, Span<byte> buffer, CancellationToken cancellationToken)
    {
        SafeFileHandle handle;
        FileStatus status;
        try
        {
            handle = NativeFile.OpenRegularForRead(path, out status);
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Read);
        }

        using (handle)
        {
            return Validate(handle, path, status.Size, buffer, cancellationToken);
        }
    }

    public static WalSummary Validate(SafeFileHandle handle, string path, long length, Span<byte> buffer, CancellationToken cancellationToken)
    {
        var validator = new WalFrameValidator(path, length);
        try
        {
            NativeFile.AdviseSequential(handle);
            long offset = new FileCopier().Copy(new CopyJob
            {
                Source = handle,
                SourcePath = path,
                Buffer = buffer,
                WithoutCrc = true,
                Observer = validator,
                Cancellation = cancellationToken,
            }).Length;

            if (offset != length)
            {
                throw new SnapshotException(
                    SnapshotErrorCode.Failed,
                    $"The WAL '{path}' changed while it was validated ({length} bytes when opened, {offset} read): something is writing to it.",
                    SnapshotStep.Read,
                    path);
            }

            return validator.Complete();
        }
        catch (WalFrameException ex)
        {
            throw Corruption(path, ex);
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Read);
        }
    }

    /// <summary>The AeroDB error for a bad record.</summary>
    public static SnapshotException Corruption(string path, WalFrameException frame) => new(
        SnapshotErrorCode.WalCorruption,
        frame.Message,
        SnapshotStep.Read,
        path,
        innerException: frame,
        severity: SnapshotSeverity.Fatal,
        invariant: Invariant);
}

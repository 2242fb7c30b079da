using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Backup;

/// <summary>The WAL a backup packs: opened read-only without following a link, fsynced, its length taken.</summary>
internal sealed class WalSource : IDisposable
{
    private WalSource(SafeFileHandle handle, string path, long length)
    {
        Handle = handle;
        Path = path;
        Length = length;
    }

    public SafeFileHandle Handle { get; }

    public string Path { get; }

    public long Length { get; }

    /// <summary>The WAL at <paramref name="path"/>, fsynced; null when it does not exist and is not <paramref name="required"/>.</summary>
    public static WalSource? Open(string path, bool required)
    {
        if (!required && NativeFile.TryStatus(path) is null)
        {
            return null;
        }

        SafeFileHandle handle = NativeFile.OpenRegularForRead(path, out _);
        try
        {
            // fsync, not fdatasync: the WAL's length is what the archive copies.
            NativeFile.Sync(handle, path, dataOnly: false);
            long length = NativeFile.Status(handle, path).Size;
            return new WalSource(handle, path, length);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void Dispose() => Handle.Dispose();
}

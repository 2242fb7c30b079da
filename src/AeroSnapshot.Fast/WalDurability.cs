using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast;

/// <summary>
/// The WAL's durability contract: step 2 of the snapshot sequence calls <see cref="MakeDurable"/>
/// and aborts the snapshot if it throws.
/// </summary>
public interface IWalDurability
{
    /// <summary>Makes every WAL record written so far durable; throws if it cannot.</summary>
    void MakeDurable();
}

/// <summary>Ready implementations of <see cref="IWalDurability"/>.</summary>
public static class WalDurability
{
    /// <summary>
    /// For a data directory that has no WAL file (nothing to make durable). Say so explicitly:
    /// there is no default.
    /// </summary>
    public static IWalDurability None { get; } = new NoWal();

    /// <summary>fsync of the WAL through the database's own handle, with errors reported.</summary>
    public static IWalDurability ForHandle(SafeFileHandle walHandle, string pathForErrors)
        => new FileWal(walHandle ?? throw new ArgumentNullException(nameof(walHandle)), pathForErrors);

    private sealed class NoWal : IWalDurability
    {
        public void MakeDurable()
        {
        }
    }

    private sealed class FileWal(SafeFileHandle handle, string path) : IWalDurability
    {
        // fsync, not fdatasync: a WAL's length is metadata a reader needs, and fsync carries it on
        // every file system. The runtime's FlushToDisk would swallow the error.
        public void MakeDurable() => NativeFile.Sync(handle, path, dataOnly: false);
    }
}

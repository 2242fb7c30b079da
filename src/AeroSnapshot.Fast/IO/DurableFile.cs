using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// Small files replaced atomically and durably: written under a temporary name in the same
/// directory, fsynced, renamed over the final name, then the directory fsynced. A crash leaves the
/// old file or the new one, never a torn one; the temporary name can only be a leftover.
/// </summary>
internal static class DurableFile
{
    /// <summary>The suffix of the temporary file (<c>checkpoint.json.tmp</c>).</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, replacing what was there.</summary>
    public static void Replace(string path, ReadOnlySpan<byte> bytes, uint mode = FileModes.File)
    {
        string directory = Path.GetDirectoryName(path)!;
        string temporary = path + TemporarySuffix;
        RemoveIfPresent(temporary);
        using (SafeFileHandle handle = NativeFile.CreateNew(temporary, mode))
        {
            PositionalIO.WriteAll(handle, temporary, bytes, 0);

            NativeFile.Sync(handle, temporary, dataOnly: false);
        }

        if (Sys.Rename(temporary, path) < 0)
        {
            throw Errors.Last("rename", temporary);
        }

        NativeFile.SyncDirectory(directory);
    }

    /// <summary>Removes <paramref name="path"/> if it exists (a file or a link, never followed); true when it did.</summary>
    public static bool RemoveIfPresent(string path)
    {
        if (Sys.Unlink(path) == 0)
        {
            return true;
        }

        int errno = Errors.LastErrno;
        if (errno != Errno.ENOENT)
        {
            throw Errors.For("unlink", path, errno);
        }

        return false;
    }

    /// <summary>Reads a small regular file (never through a link), at most <paramref name="limit"/> bytes; null when it does not exist.</summary>
    public static byte[]? TryReadSmall(string path, int limit)
    {
        if (NativeFile.TryStatus(path) is null)
        {
            return null;
        }

        using SafeFileHandle handle = NativeFile.OpenRegularForRead(path, out FileStatus status);
        return PositionalIO.ReadSmallFile(handle, path, status.Size, limit);
    }
}

using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO;

/// <summary>Turns errno into exceptions, in one place.</summary>
internal static class Errors
{
    /// <summary>The errno of the last P/Invoke made with <c>SetLastError = true</c>.</summary>
    public static int LastErrno => Marshal.GetLastPInvokeError();

    public static NativeIOException Last(string operation, string path) => new(operation, path, LastErrno);

    public static NativeIOException For(string operation, string path, int errno) => new(operation, path, errno);

    /// <summary>Wraps an exception thrown by RandomAccess (whose HResult is the errno on Unix).</summary>
    public static NativeIOException FromIOException(string operation, string path, IOException exception)
        => exception as NativeIOException ?? new NativeIOException(operation, path, ErrnoOf(exception) ?? Errno.EIO, exception.Message);

    /// <summary>The errno behind a runtime <see cref="IOException"/> (its HResult on Unix), or null when it carries none.</summary>
    public static int? ErrnoOf(IOException exception) => exception.HResult is > 0 and < 4096 ? exception.HResult : null;

    public static string Describe(int errno) => errno switch
    {
        Errno.EPERM => "EPERM (operation not permitted)",
        Errno.ENOENT => "ENOENT (no such file or directory)",
        Errno.EIO => "EIO (input/output error)",
        Errno.EACCES => "EACCES (permission denied)",
        Errno.EEXIST => "EEXIST (already exists)",
        Errno.EXDEV => "EXDEV (cross-device)",
        Errno.ENOTDIR => "ENOTDIR (not a directory)",
        Errno.EISDIR => "EISDIR (is a directory)",
        Errno.EINVAL => "EINVAL (invalid argument)",
        Errno.ENOSPC => "ENOSPC (no space left on device)",
        Errno.EROFS => "EROFS (read-only file system)",
        Errno.ENAMETOOLONG => "ENAMETOOLONG (file name too long)",
        Errno.ENOTEMPTY => "ENOTEMPTY (directory not empty)",
        Errno.ELOOP => "ELOOP (symbolic link where none is allowed)",
        Errno.EOPNOTSUPP => "EOPNOTSUPP (operation not supported)",
        Errno.EDQUOT => "EDQUOT (disk quota exceeded)",
        Errno.EAGAIN => "EAGAIN (resource temporarily unavailable)",
        _ => $"errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})",
    };
}

using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// Early writeback for a large copy: after each window of bytes is written, start its writeback
/// (<c>sync_file_range(WRITE)</c>); wait for the window before it and drop its clean pages
/// (<c>POSIX_FADV_DONTNEED</c>). The disk then works while we copy, the final <c>fdatasync</c> has
/// almost nothing left, and the snapshot does not push the database's working set out of the page
/// cache. Only the copy's pages are dropped, never the source's.
/// </summary>
internal struct WritebackWindow
{
    private readonly long _window;
    private long _started;
    private long _settled;
    private bool _disabled;

    /// <param name="windowBytes">The window; 0 or less for none.</param>
    /// <param name="start">Where the writes start (an appended tail's offset): the bytes before it are not this copy's to write back.</param>
    public WritebackWindow(long windowBytes, long start = 0)
    {
        _window = windowBytes;
        _disabled = windowBytes <= 0;
        _started = start;
        _settled = start;
    }

    /// <summary>Called after the destination holds <paramref name="written"/> bytes.</summary>
    public void OnWritten(SafeFileHandle destination, string path, long written)
    {
        if (_disabled || written - _started < _window)
        {
            return;
        }

        using var fd = new RawDescriptor(destination);
        OnWritten(fd.Value, path, written);
    }

    /// <summary>After the final fdatasync: every page is clean, so drop the rest of the copy's pages.</summary>
    public readonly void OnSynced(SafeFileHandle destination)
    {
        if (!_disabled)
        {
            using var fd = new RawDescriptor(destination);
            _ = Sys.FAdvise(fd.Value, _settled, 0, Sys.FAdviseDontNeed);
        }
    }

    private void OnWritten(int destination, string path, long written)
    {
        while (written - _started >= _window)
        {
            if (!Call(destination, path, _started, _window, Sys.SyncFileRangeWrite))
            {
                return;
            }

            _started += _window;
            if (_started - _settled > _window)
            {
                Settle(destination, path, _window);
            }
        }
    }

    private void Settle(int destination, string path, long length)
    {
        if (Call(destination, path, _settled, length, Sys.SyncFileRangeWaitBefore | Sys.SyncFileRangeWrite | Sys.SyncFileRangeWaitAfter))
        {
            _ = Sys.FAdvise(destination, _settled, length, Sys.FAdviseDontNeed);
            _settled += length;
        }
    }

    private bool Call(int destination, string path, long offset, long length, uint flags)
    {
        if (Sys.SyncFileRange(destination, offset, length, flags) == 0)
        {
            return true;
        }

        int errno = Errors.LastErrno;
        if (errno is Errno.EINVAL or Errno.ESPIPE or Errno.ENOSYS or Errno.EOPNOTSUPP)
        {
            // Not every file system supports it; the final fdatasync still makes the copy durable.
            _disabled = true;
            return false;
        }

        throw Errors.For("sync_file_range", path, errno);
    }
}

using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// Files written one after another and made durable together: each added descriptor is kept open
/// until <see cref="Flush"/> syncs and closes the batch, which the caller does whenever
/// <see cref="Add"/> says it is full (and at the end). The disk then works on a whole batch of small
/// files at once instead of one sync round trip per file. Dispose closes whatever is still open
/// without syncing it (the failure path).
/// </summary>
internal sealed class SyncBatch : IDisposable
{
    /// <summary>Descriptors held open while their writeback runs; far below any descriptor limit.</summary>
    public const int DefaultCapacity = 128;

    private readonly List<(SafeFileHandle Handle, string Path)> _pending;
    private readonly bool _dataOnly;
    private readonly bool _dropCachedPages;

    /// <param name="dataOnly">fdatasync instead of fsync.</param>
    /// <param name="dropCachedPages">After each sync, drop the file's pages from the page cache (a copy made before the pause, which the database's working set should not make room for).</param>
    /// <param name="capacity">How many files a batch holds; 1 syncs each file as it is added.</param>
    public SyncBatch(bool dataOnly, bool dropCachedPages = false, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _dataOnly = dataOnly;
        _dropCachedPages = dropCachedPages;
        _pending = new List<(SafeFileHandle, string)>(Math.Min(capacity, DefaultCapacity));
    }

    /// <summary>How many files a batch holds.</summary>
    public int Capacity { get; }

    /// <summary>Files added and not yet synced.</summary>
    public int Count => _pending.Count;

    /// <summary>Takes ownership of <paramref name="handle"/>; returns true when the batch is full and should be flushed now.</summary>
    public bool Add(SafeFileHandle handle, string path)
    {
        _pending.Add((handle, path));
        return _pending.Count >= Capacity;
    }

    /// <summary>Syncs and closes every file added since the last batch.</summary>
    public void Flush()
    {
        foreach ((SafeFileHandle handle, string path) in _pending)
        {
            NativeFile.Sync(handle, path, _dataOnly);
            if (_dropCachedPages)
            {
                NativeFile.DropCachedPages(handle);
            }
        }

        CloseAll();
    }

    /// <summary>Closes what is still open, unsynced.</summary>
    public void Dispose() => CloseAll();

    private void CloseAll()
    {
        foreach ((SafeFileHandle handle, _) in _pending)
        {
            handle.Dispose();
        }

        _pending.Clear();
    }
}

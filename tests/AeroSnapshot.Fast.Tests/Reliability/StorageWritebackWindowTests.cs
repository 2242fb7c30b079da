using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// The storage copy's writeback window (<see cref="SnapshotOptions.WritebackWindowBytes"/>): the page
/// cache a copy of a large storage file may fill is bounded by starting writeback of each full window
/// as soon as it is written (<c>sync_file_range(WRITE)</c>), waiting for the window before it
/// (<c>WAIT_BEFORE|WRITE|WAIT_AFTER</c>) and dropping it (<c>POSIX_FADV_DONTNEED</c>), and dropping the
/// rest after the final data sync. Nothing else shows whether this happens, so the calls on the staging
/// copy of <c>storage.dat</c> are recorded with strace and compared with the exact expected order.
/// Found by the mutation run of issue #17: every mutant of the window's arithmetic survived, because
/// the tests' storage files are smaller than the default 8 MiB window.
/// </summary>
public sealed class StorageWritebackWindowTests : IDisposable
{
    private const int Window = 64 * 1024;
    private const int Windows = 16;
    private const string Write = "SYNC_FILE_RANGE_WRITE";
    private const string Settle = "SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE|SYNC_FILE_RANGE_WAIT_AFTER";

    private readonly TestDataDirectory _data = new();

    public StorageWritebackWindowTests()
    {
        _data.WriteStorage(((long)Window * Windows) + 3, seed: 5);
        _data.WriteSchema("a.json", "{}");
    }

    public void Dispose() => _data.Dispose();

    [PrivilegedFact]
    public void Each_full_window_is_written_back_when_written_and_dropped_from_the_cache_one_window_later()
    {
        List<string> calls = TracedStorageCalls(new SnapshotOptions { WritebackWindowBytes = Window, BufferSize = Window, UseReflink = false });

        var expected = new List<string>();
        for (int k = 0; k < Windows; k++)
        {
            expected.Add($"pwrite64 {k * Window} {Window}");
            expected.Add($"sync_file_range {k * Window} {Window} {Write}");
            if (k > 0)
            {
                expected.Add($"sync_file_range {(k - 1) * Window} {Window} {Settle}");
                expected.Add($"fadvise64 {(k - 1) * Window} {Window} POSIX_FADV_DONTNEED");
            }
        }

        expected.Add($"pwrite64 {Windows * Window} 3");
        expected.Add("fdatasync");
        expected.Add($"fadvise64 {(Windows - 1) * Window} 0 POSIX_FADV_DONTNEED");
        Assert.Equal(expected, calls);
    }

    [PrivilegedFact]
    public void A_buffer_larger_than_the_window_starts_every_window_it_filled()
    {
        List<string> calls = TracedStorageCalls(new SnapshotOptions { WritebackWindowBytes = Window, BufferSize = 4 * Window, UseReflink = false });

        List<string> started = calls.Where(c => c.EndsWith(" " + Write, StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, Windows).Select(k => $"sync_file_range {k * Window} {Window} {Write}"), started);
        List<string> settled = calls.Where(c => c.EndsWith(" " + Settle, StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, Windows - 1).Select(k => $"sync_file_range {k * Window} {Window} {Settle}"), settled);

        // The first 4-window write starts its four windows and settles all but the last before the next write.
        Assert.Equal(
            [
                $"pwrite64 0 {4 * Window}",
                $"sync_file_range 0 {Window} {Write}",
                $"sync_file_range {Window} {Window} {Write}",
                $"sync_file_range 0 {Window} {Settle}",
                $"fadvise64 0 {Window} POSIX_FADV_DONTNEED",
            ],
            calls.Take(5));
        Assert.Equal($"fadvise64 {(Windows - 1) * Window} 0 POSIX_FADV_DONTNEED", calls[^1]);
    }

    [PrivilegedFact]
    public void A_window_of_zero_turns_the_writeback_off()
    {
        List<string> calls = TracedStorageCalls(new SnapshotOptions { WritebackWindowBytes = 0, BufferSize = Window, UseReflink = false });

        Assert.DoesNotContain(calls, c => c.StartsWith("sync_file_range", StringComparison.Ordinal) || c.StartsWith("fadvise64", StringComparison.Ordinal));
        Assert.Equal(Windows + 2, calls.Count); // the writes and the fdatasync
        Assert.Equal("fdatasync", calls[^1]);
    }

    /// <summary>The calls on the staging copy of storage.dat, as "name offset length flags".</summary>
    private List<string> TracedStorageCalls(SnapshotOptions options)
    {
        IReadOnlyList<Syscall> calls;
        using (var manager = new SnapshotManager())
        using (var recorder = AttachedStrace.Record("pwrite64,sync_file_range,fadvise64,fdatasync"))
        {
            _data.CreateSnapshot(manager, options);
            calls = recorder.Stop();
        }

        return calls
            .Where(static c => c.Path0.Contains("/snapshots/.staging-", StringComparison.Ordinal)
                && c.Path0.EndsWith("/storage.dat", StringComparison.Ordinal))
            .Select(Describe)
            .ToList();
    }

    private static string Describe(Syscall call)
    {
        Assert.True(call.Succeeded, call.Line);
        // Arguments after the descriptor: pwrite64(fd, "...", count, offset); the others (fd, offset, length, flags).
        string[] parts = call.Arguments.Split(", ");
        return call.Name switch
        {
            "pwrite64" => $"pwrite64 {parts[^1]} {parts[^2]}",
            "fdatasync" => "fdatasync",
            _ => string.Join(' ', [call.Name, .. parts.Skip(1)]),
        };
    }
}

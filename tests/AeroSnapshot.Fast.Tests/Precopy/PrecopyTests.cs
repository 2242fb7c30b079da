using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Precopy;
using AeroSnapshot.Fast.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AeroSnapshot.Fast.Tests.Precopy;

/// <summary>The pre-copy's outcomes one by one: what is reused, what falls back, what is left on disk.</summary>
public sealed class PrecopyTests : IDisposable
{
    private readonly TestDataDirectory _data = new();
    private readonly SnapshotManager _manager = new();
    private readonly CapturingLogger _log = new();

    public void Dispose()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    [Fact]
    public void Appended_storage_and_unchanged_schemas_copy_only_the_tail_and_the_new_schema()
    {
        _data.WriteStorage(3 << 20);
        _data.WriteSchema("a.json", "{\"a\":1}");
        _data.WriteSchema("nested/b.json", "{\"b\":2}");
        using SnapshotPrecopy precopy = _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory);
        Append(100_000);
        _data.WriteSchema("nested/deeper/c.json", "{}");

        SnapshotResult result = Create(precopy);

        Assert.Equal(new PrecopyReport(PrecopyStorageOutcome.Appended, 3 << 20, 100_000, null, 2, 1, 0), result.Precopy);
        Assert.Empty(IndependentSnapshotOracle.Judge(result.Directory, ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory)));
        Assert.True(precopy.IsConsumed);
        Assert.DoesNotContain(_log.Entries, static e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void A_write_in_place_falls_back_to_a_full_copy_and_warns_with_the_first_differing_region()
    {
        _data.WriteStorage(20 << 20);
        using SnapshotPrecopy precopy = _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory);
        using (FileStream stream = new(_data.StoragePath, FileMode.Open))
        {
            stream.Position = (9 << 20) + 5;
            stream.WriteByte(0x42);
        }

        SnapshotResult result = Create(precopy);

        Assert.Equal(PrecopyStorageOutcome.PrefixChanged, result.Precopy!.Storage);
        Assert.Contains("[8388608, 16777216)", result.Precopy.Detail, StringComparison.Ordinal);
        Assert.Contains(_log.Entries, static e => e.Level == LogLevel.Warning && e.EventId.Id == 20 && e.Message.Contains("[8388608, 16777216)", StringComparison.Ordinal));
        Assert.Empty(IndependentSnapshotOracle.Judge(result.Directory, ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory)));
    }

    [Fact]
    public void A_truncated_storage_file_falls_back()
    {
        _data.WriteStorage(1 << 20);
        using SnapshotPrecopy precopy = _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory);
        using (FileStream stream = new(_data.StoragePath, FileMode.Open))
        {
            stream.SetLength(1000);
        }

        SnapshotResult result = Create(precopy);

        Assert.Equal(PrecopyStorageOutcome.Shrank, result.Precopy!.Storage);
        Assert.Empty(IndependentSnapshotOracle.Judge(result.Directory, ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory)));
    }

    [Fact]
    public void A_storage_file_replaced_by_an_identical_copy_still_falls_back()
    {
        _data.WriteStorage(1 << 20);
        using SnapshotPrecopy precopy = _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory);
        File.Copy(_data.StoragePath, _data.StoragePath + ".new");
        File.Move(_data.StoragePath + ".new", _data.StoragePath, overwrite: true);

        SnapshotResult result = Create(precopy);

        Assert.Equal(PrecopyStorageOutcome.Replaced, result.Precopy!.Storage);
        Assert.Empty(IndependentSnapshotOracle.Judge(result.Directory, ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory)));
    }

    [Fact]
    public void A_precopy_is_used_once_and_a_second_snapshot_copies_everything()
    {
        _data.WriteStorage(1 << 20);
        _data.WriteSchema("a.json", "{}");
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 11, 30, 13, 0, 0, TimeSpan.Zero));
        using SnapshotPrecopy precopy = _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory);
        Assert.True(Create(precopy, clock).Precopy!.StorageReused);
        clock.Now = clock.Now.AddSeconds(1);

        SnapshotResult second = Create(precopy, clock);

        Assert.Equal(new PrecopyReport(PrecopyStorageOutcome.Unusable, 1 << 20, 0, "it was already used or disposed", 0, 1, 0), second.Precopy);
        Assert.Empty(IndependentSnapshotOracle.Judge(second.Directory, ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory)));
    }

    [Fact]
    public void A_precopy_of_another_data_directory_is_not_used()
    {
        using var other = new TestDataDirectory();
        other.WriteStorage(1 << 20);
        _data.WriteStorage(1 << 20);
        using SnapshotPrecopy precopy = _manager.PrecopySnapshot(other.Root, other.StoragePath, other.SchemaDirectory);

        SnapshotResult result = Create(precopy);

        Assert.Equal(PrecopyStorageOutcome.Unusable, result.Precopy!.Storage);
        Assert.StartsWith("it was made for another data directory", result.Precopy.Detail, StringComparison.Ordinal);
        Assert.Empty(IndependentSnapshotOracle.Judge(result.Directory, ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory)));
        Assert.True(Directory.Exists(precopy.StagingDirectory), "the other data directory's pre-copy is not this snapshot's to remove");
    }

    [Fact]
    public void A_plain_snapshot_in_between_removes_the_precopy_and_the_next_one_copies_everything()
    {
        _data.WriteStorage(1 << 20);
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 11, 30, 13, 0, 0, TimeSpan.Zero));
        using SnapshotPrecopy precopy = _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory);
        _data.CreateSnapshot(_manager, new SnapshotOptions { TimeProvider = clock });
        clock.Now = clock.Now.AddSeconds(1);

        SnapshotResult result = Create(precopy, clock);

        Assert.Equal(PrecopyStorageOutcome.Unusable, result.Precopy!.Storage);
        Assert.Contains("was removed or replaced", result.Precopy.Detail, StringComparison.Ordinal);
        Assert.Empty(IndependentSnapshotOracle.Judge(result.Directory, ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory)));
    }

    [Fact]
    public void An_unused_precopy_is_removed_by_dispose()
    {
        _data.WriteStorage(1 << 20);
        _data.WriteSchema("a.json", "{}");
        SnapshotPrecopy precopy = _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory);
        Assert.StartsWith(".precopy-", Path.GetFileName(precopy.StagingDirectory), StringComparison.Ordinal);
        Assert.Equal((1L << 20, 1, 2L), (precopy.StorageBytes, precopy.SchemaFiles, precopy.SchemaBytes));

        precopy.Dispose();

        Assert.Empty(Directory.EnumerateFileSystemEntries(_data.SnapshotsDirectory));
    }

    [Fact]
    public void An_abandoned_precopy_is_listed_as_incomplete_and_removed_by_RemoveLeftovers()
    {
        _data.WriteStorage(1 << 20);
        SnapshotPrecopy precopy = _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory);
        string name = Path.GetFileName(precopy.StagingDirectory);

        Assert.Contains(_manager.ListSnapshots(_data.Root), l => l.Name == name && l.Kind == SnapshotEntryKind.Incomplete);
        Assert.Equal([name], _manager.RemoveLeftovers(_data.Root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_data.SnapshotsDirectory));
        precopy.Dispose();
    }

    [Fact]
    public void A_failure_inside_the_pause_leaves_no_staging_directory_behind()
    {
        _data.WriteStorage(1 << 20);
        _data.WriteSchema("a.json", "{}");
        using SnapshotPrecopy precopy = _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory);
        Append(5000);
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            SnapshotOptions failing = Faults.FailAt(SnapshotStep.SyncStorage);
            Assert.Throws<SnapshotException>(() => _manager.CreateSnapshot(
                _data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock,
                new SnapshotOptions { BeforeStep = failing.BeforeStep, Precopy = precopy }));
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(_data.SnapshotsDirectory));
    }

    [Fact]
    public void A_precopy_refuses_a_snapshots_directory_that_is_a_symbolic_link_and_writes_nothing_through_it()
    {
        _data.WriteStorage(4096);
        using var elsewhere = new TestDataDirectory();
        Directory.CreateSymbolicLink(_data.SnapshotsDirectory, elsewhere.Root);

        var error = Assert.Throws<SnapshotException>(() => _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory));

        Assert.Equal(_data.SnapshotsDirectory, error.Path);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere.Root));
    }

    [Fact]
    public void A_snapshot_through_the_databases_own_handle_completes_the_precopy_too()
    {
        _data.WriteStorage(2 << 20);
        using SnapshotPrecopy precopy = _manager.PrecopySnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory);
        Append(4097);
        using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(_data.StoragePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var executionLock = new GlobalExecutionLock();
        SnapshotResult result;
        using (executionLock.Acquire())
        {
            result = _manager.CreateSnapshot(_data.Root, handle, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock, new SnapshotOptions { Precopy = precopy });
        }

        Assert.Equal((PrecopyStorageOutcome.Appended, 4097L), (result.Precopy!.Storage, result.Precopy.AppendedBytes));
        Assert.Empty(IndependentSnapshotOracle.Judge(result.Directory, ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory)));
    }

    private void Append(int length)
    {
        using FileStream stream = new(_data.StoragePath, FileMode.Append);
        byte[] bytes = new byte[length];
        new Random(7).NextBytes(bytes);
        stream.Write(bytes);
    }

    private SnapshotResult Create(SnapshotPrecopy precopy, TimeProvider? clock = null)
    {
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            return _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock, new SnapshotOptions
            {
                Precopy = precopy,
                Logger = _log,
                TimeProvider = clock ?? TimeProvider.System,
            });
        }
    }
}

using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>Every failure aborts with the right code and leaves <c>snapshots/</c> exactly as it was.</summary>
public sealed class CreateSnapshotFailureTests : IDisposable
{
    private readonly TestDataDirectory _data = new();
    private readonly SnapshotManager _manager = new();
    private readonly FixedTimeProvider _clock = new(new DateTimeOffset(2026, 2, 4, 11, 30, 0, TimeSpan.Zero));

    public CreateSnapshotFailureTests()
    {
        _data.WriteStorage((3 << 20) + 17);
        _data.WriteSchema("user_v1.json", "{}");
        _data.WriteSchema("nested/order_v1.json", "{\"a\":1}");
    }

    public void Dispose()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    public static TheoryData<SnapshotStep, string> InjectableSteps => new()
    {
        { SnapshotStep.CheckLock, SnapshotErrorCode.IO },
        { SnapshotStep.Prepare, SnapshotErrorCode.IO },
        { SnapshotStep.SyncWal, SnapshotErrorCode.IO },
        { SnapshotStep.CopyStorage, SnapshotErrorCode.IO },
        { SnapshotStep.SyncStorage, SnapshotErrorCode.IO },
        { SnapshotStep.CopySchemas, SnapshotErrorCode.IO },
        { SnapshotStep.SyncSchemas, SnapshotErrorCode.IO },
        { SnapshotStep.WriteManifest, SnapshotErrorCode.IO },
        { SnapshotStep.SyncManifest, SnapshotErrorCode.IO },
        { SnapshotStep.SyncStaging, SnapshotErrorCode.IO },
        { SnapshotStep.Publish, SnapshotErrorCode.IO },
        { SnapshotStep.SyncParent, SnapshotErrorCode.IO },
    };

    [Theory]
    [MemberData(nameof(InjectableSteps))]
    public void Fault_injected_at_a_step_fails_with_its_code_and_step_and_leaves_snapshots_as_they_were(SnapshotStep step, string expectedCode)
    {
        SnapshotId earlier = _data.CreateSnapshot(_manager, new SnapshotOptions { TimeProvider = _clock });
        IReadOnlyList<string> before = _data.SnapshotsListing();
        _clock.Now = _clock.Now.AddSeconds(1);
        var options = new SnapshotOptions
        {
            TimeProvider = _clock,
            BeforeStep = s =>
            {
                if (s == step)
                {
                    throw new IOException($"injected fault at {s}");
                }
            },
        };

        var error = Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager, options));

        Assert.Equal(expectedCode, error.Code);
        Assert.Equal(step, error.Step);
        Assert.Null(error.CleanupFailure);
        Assert.Equal(before, _data.SnapshotsListing());
        Assert.True(Directory.Exists(_data.SnapshotDirectory(earlier)));
    }

    [Fact]
    public void Snapshot_without_the_execution_lock_fails_with_snapshot_failed_and_creates_nothing()
    {
        var executionLock = new GlobalExecutionLock();

        var error = Assert.Throws<SnapshotException>(() =>
            _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(SnapshotStep.CheckLock, error.Step);
        Assert.False(Directory.Exists(_data.SnapshotsDirectory));
    }

    [Fact]
    public void Lock_held_by_another_thread_does_not_count()
    {
        var executionLock = new GlobalExecutionLock();
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            using (executionLock.Acquire())
            {
                held.Set();
                release.Wait();
            }
        });
        holder.Start();
        held.Wait();
        try
        {
            var error = Assert.Throws<SnapshotException>(() =>
                _manager.CreateSnapshot(_data.Root, _data.StoragePath, _data.SchemaDirectory, WalDurability.None, executionLock));
            Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        }
        finally
        {
            release.Set();
            holder.Join();
        }
    }

    [Fact]
    public void Failing_wal_sync_aborts_the_snapshot_before_anything_is_copied()
    {
        var wal = new FailingWal();
        var reports = new List<SnapshotProgress>();

        var error = Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager, new SnapshotOptions { Progress = new InlineProgress<SnapshotProgress>(reports.Add) }, wal));

        Assert.Equal(SnapshotStep.SyncWal, error.Step);
        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(1, wal.Calls);
        Assert.Empty(reports);
        Assert.Empty(_data.SnapshotsListing());
    }

    [Fact]
    public void Wal_is_made_durable_through_the_real_file_handle()
    {
        string walPath = Path.Join(_data.Root, "wal.log");
        File.WriteAllText(walPath, "record");
        using var wal = new FileStream(walPath, FileMode.Open, FileAccess.ReadWrite);

        SnapshotId id = _data.CreateSnapshot(_manager, wal: WalDurability.ForHandle(wal.SafeFileHandle, walPath));

        Assert.True(Directory.Exists(_data.SnapshotDirectory(id)));
    }

    [Fact]
    public void Two_snapshots_in_one_second_fail_the_second_and_leave_the_first_untouched()
    {
        var options = new SnapshotOptions { TimeProvider = _clock };
        SnapshotId first = _data.CreateSnapshot(_manager, options);
        IReadOnlyList<string> before = _data.SnapshotsListing();

        var error = Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager, options));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Contains(first.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _data.SnapshotsListing());
    }

    [Fact]
    public void Stale_staging_directory_from_a_crash_is_removed_by_the_next_create()
    {
        string stale = Path.Join(_data.SnapshotsDirectory, ".staging-20200101T000000Z");
        Directory.CreateDirectory(Path.Join(stale, "schemas"));
        File.WriteAllText(Path.Join(stale, "storage.dat"), "partial");
        File.SetUnixFileMode(Path.Join(stale, "storage.dat"), UnixFileMode.UserRead);

        SnapshotId id = _data.CreateSnapshot(_manager);

        Assert.False(Directory.Exists(stale));
        Assert.Equal([id.ToString()], Directory.EnumerateFileSystemEntries(_data.SnapshotsDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public void Storage_changed_during_the_copy_fails_as_an_unlocked_write()
    {
        var options = new SnapshotOptions
        {
            BeforeStep = s =>
            {
                if (s == SnapshotStep.SyncStorage)
                {
                    File.AppendAllText(_data.StoragePath, "a write that ignored the lock");
                }
            },
        };

        var error = Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager, options));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Contains("changed while it was copied", error.Message, StringComparison.Ordinal);
        Assert.Empty(_data.SnapshotsListing());
    }

    /// <summary>
    /// Each way the storage file can change under the copy that the check after it must see on
    /// its own: the size (grown after the copy, its time put back), the modification time to the
    /// second or to the nanosecond, or fewer bytes copied than the file had (shrunk during the copy,
    /// then its size and time put back).
    /// Found by the second mutation pass of issue #17: the append above changes size and time at
    /// once, so any one of the four comparisons could be dropped without failing a test.
    /// </summary>
    [Theory]
    [InlineData("rewritten in place at the same size")]
    [InlineData("modification time moved by a second")]
    [InlineData("modification time moved by 100 ns")]
    [InlineData("shrunk during the copy, size and time put back")]
    [InlineData("grown after the copy, time put back")]
    public void Storage_changed_during_the_copy_in_any_one_way_fails_as_an_unlocked_write(string change)
    {
        var original = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(_data.StoragePath, original);
        long length = new FileInfo(_data.StoragePath).Length;
        bool shrunk = false;
        var options = new SnapshotOptions
        {
            BufferSize = 64 * 1024,
            Progress = new InlineProgress<SnapshotProgress>(_ =>
            {
                if (change.StartsWith("shrunk", StringComparison.Ordinal) && !shrunk)
                {
                    shrunk = true;
                    using FileStream stream = File.Open(_data.StoragePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                    stream.SetLength(100_000);
                }
            }),
            BeforeStep = s =>
            {
                if (s != SnapshotStep.SyncStorage)
                {
                    return;
                }

                switch (change)
                {
                    case "rewritten in place at the same size":
                        using (FileStream stream = File.Open(_data.StoragePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                        {
                            stream.Position = 10;
                            stream.WriteByte(0x5a);
                        }

                        break;
                    case "modification time moved by a second":
                        File.SetLastWriteTimeUtc(_data.StoragePath, original.AddSeconds(1));
                        break;
                    case "modification time moved by 100 ns":
                        File.SetLastWriteTimeUtc(_data.StoragePath, original.AddTicks(1));
                        break;
                    case "grown after the copy, time put back":
                        File.AppendAllText(_data.StoragePath, "a write that ignored the lock");
                        File.SetLastWriteTimeUtc(_data.StoragePath, original);
                        break;
                    default:
                        using (FileStream stream = File.Open(_data.StoragePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                        {
                            stream.SetLength(length);
                        }

                        File.SetLastWriteTimeUtc(_data.StoragePath, original);
                        break;
                }
            },
        };

        var error = Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager, options));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(SnapshotStep.CopyStorage, error.Step);
        Assert.Contains("changed while it was copied", error.Message, StringComparison.Ordinal);
        Assert.Empty(_data.SnapshotsListing());
    }

    [Fact]
    public void Cancellation_removes_the_partial_snapshot()
    {
        using var cancel = new CancellationTokenSource();
        var options = new SnapshotOptions
        {
            CancellationToken = cancel.Token,
            BufferSize = 64 * 1024,
            Progress = new InlineProgress<SnapshotProgress>(p =>
            {
                if (p.BytesDone > 1 << 20)
                {
                    cancel.Cancel();
                }
            }),
        };

        Assert.ThrowsAny<OperationCanceledException>(() => _data.CreateSnapshot(_manager, options));

        Assert.Empty(_data.SnapshotsListing());
    }

    [Theory]
    [InlineData(SnapshotStep.CopySchemas)]
    [InlineData(SnapshotStep.WriteManifest)]
    [InlineData(SnapshotStep.Publish)]
    public void Cancellation_requested_in_one_step_stops_the_create_before_the_next_step_starts(SnapshotStep cancelIn)
    {
        using var cancel = new CancellationTokenSource();
        var entered = new List<SnapshotStep>();
        var options = new SnapshotOptions
        {
            CancellationToken = cancel.Token,
            BeforeStep = step =>
            {
                entered.Add(step);
                if (step == cancelIn)
                {
                    cancel.Cancel();
                }
            },
        };

        Assert.ThrowsAny<OperationCanceledException>(() => _data.CreateSnapshot(_manager, options));

        // Nothing runs after the step in which cancellation was asked for, and nothing is published.
        Assert.Equal(cancelIn, entered[^1]);
        Assert.Empty(_data.SnapshotsListing());
    }

    private sealed class FailingWal : IWalDurability
    {
        public int Calls { get; private set; }

        public void MakeDurable()
        {
            Calls++;
            throw new NativeIOException("fsync of the WAL failed (test)");
        }
    }
}

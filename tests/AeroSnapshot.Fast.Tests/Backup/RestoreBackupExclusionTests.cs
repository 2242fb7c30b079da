using System.Diagnostics;
using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>
/// One restore from a backup at a time per data directory, with or without a <c>LOCK</c> file: a
/// second run (or <c>clean</c>) is refused at once, naming the temporary directory the live run holds,
/// and never touches it; what a crashed run left is still finished or undone by the next run.
/// </summary>
public sealed class RestoreBackupExclusionTests : IDisposable
{
    private const int EWOULDBLOCK = 11;

    private readonly SnapshotManager _manager = new();
    private readonly TestDataDirectory _source;
    private readonly TestDataDirectory _target = new();
    private readonly string _archive;

    public RestoreBackupExclusionTests()
    {
        _source = BackupFixture.Build(out _, out _, storageBytes: 50_000, manager: _manager);
        _archive = BackupFixture.Scratch(_source, "b.tar");
        BackupFixture.Backup(_manager, _source.Root, _archive);
        _target.WriteStorage(100, seed: 3);
        _target.WriteSchema("old.json", "old");
        Assert.False(File.Exists(Path.Join(_target.Root, DataDirectoryLock.FileName))); // as a finished restore-backup leaves it
    }

    private string Temporary => _target.Root + BackupRestorePaths.TemporarySuffix;

    public void Dispose()
    {
        BackupFixture.DeleteScratch(_source);
        _source.Dispose();
        _target.Dispose();
        _manager.Dispose();
    }

    [Fact]
    public async Task A_second_restore_and_clean_are_refused_at_once_while_a_restore_runs_and_never_touch_its_work()
    {
        // Run A, stopped half-way through its unpack (its files written, not yet synced).
        using var paused = new ManualResetEventSlim();
        using var resume = new ManualResetEventSlim();
        var first = new SnapshotOptions
        {
            BeforeStep = step =>
            {
                if (step == SnapshotStep.RestoreBackupSync)
                {
                    paused.Set();
                    resume.Wait();
                }
            },
        };
        Task<BackupRestoreResult> running = Task.Run(() => _manager.RestoreBackup(_archive, _target.Root, first));
        Assert.True(paused.Wait(TimeSpan.FromSeconds(30)), "the first restore never reached its sync step");
        IReadOnlyList<string> work = TestDataDirectory.TreeListing(Temporary);
        IReadOnlyList<string> old = TestDataDirectory.TreeListing(_target.Root);

        var clock = Stopwatch.StartNew();
        SnapshotException second = Assert.Throws<SnapshotException>(() => _manager.RestoreBackup(_archive, _target.Root));
        TimeSpan refusedAfter = clock.Elapsed;
        SnapshotException clean = Assert.Throws<SnapshotException>(() => _manager.RemoveLeftovers(_target.Root));

        Assert.Equal(SnapshotErrorCode.Failed, second.Code);
        Assert.Equal(EWOULDBLOCK, second.Errno);
        Assert.Equal(Temporary, second.Path);
        Assert.Contains("Another restore from a backup into", second.Message, StringComparison.Ordinal);
        Assert.True(refusedAfter < TimeSpan.FromSeconds(5), $"refused only after {refusedAfter}");
        Assert.Equal(EWOULDBLOCK, clean.Errno);
        Assert.Equal(work, TestDataDirectory.TreeListing(Temporary));
        Assert.Equal(old, TestDataDirectory.TreeListing(_target.Root));

        resume.Set();
        BackupRestoreResult done = await running;

        Assert.Equal(File.ReadAllBytes(Path.Join(_source.SnapshotDirectory(done.Manifest.SnapshotId), "storage.dat")), File.ReadAllBytes(_target.StoragePath));
        Assert.False(Directory.Exists(Temporary));
    }

    [Fact]
    public void A_temporary_directory_another_process_locked_is_left_alone()
    {
        var paths = BackupRestorePaths.For(_target.Root);
        Directory.CreateDirectory(Path.Join(Temporary, "data"));
        File.WriteAllText(Path.Join(Temporary, "data", "storage.dat"), "in progress");
        using (BackupRestoreClaim held = BackupRestoreClaim.TryLockExisting(paths)!)
        {
            SnapshotException refused = Assert.Throws<SnapshotException>(() => _manager.RestoreBackup(_archive, _target.Root));

            Assert.Equal(EWOULDBLOCK, refused.Errno);
            Assert.Equal("in progress", File.ReadAllText(Path.Join(Temporary, "data", "storage.dat")));
        }

        // Released (its holder gone, as after a crash): the next run undoes it and restores.
        _manager.RestoreBackup(_archive, _target.Root);

        Assert.False(Directory.Exists(Temporary));
        Assert.Equal(50_000, new FileInfo(_target.StoragePath).Length);
    }

    [Theory]
    [InlineData(SnapshotStep.RestoreBackupSync)]
    [InlineData(SnapshotStep.RestoreBackupSwap)]
    [InlineData(SnapshotStep.RestoreBackupRemoveOld)]
    public void What_a_crashed_restore_left_is_finished_or_undone_by_the_next_one(SnapshotStep crashAt)
    {
        var crash = new SnapshotOptions { BeforeStep = step => { if (step == crashAt) { throw new SimulatedCrashException(step.ToString()); } } };
        Assert.Throws<SimulatedCrashException>(() => _manager.RestoreBackup(_archive, _target.Root, crash));
        Assert.True(Directory.Exists(Temporary));

        BackupRestoreResult result = _manager.RestoreBackup(_archive, _target.Root);

        Assert.False(Directory.Exists(Temporary));
        Assert.Equal(File.ReadAllBytes(Path.Join(_source.SnapshotDirectory(result.Manifest.SnapshotId), "storage.dat")), File.ReadAllBytes(_target.StoragePath));
    }
}

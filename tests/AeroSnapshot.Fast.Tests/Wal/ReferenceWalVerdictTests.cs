using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.Tests.Backup;
using AeroSnapshot.Fast.Tests.Checkpoint;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Wal;
using CsCheck;
using static AeroSnapshot.Fast.Tests.Support.AeroDbFixtures;

namespace AeroSnapshot.Fast.Tests.Wal;

/// <summary>
/// The WAL is judged exactly as AeroDB's reader judges it. <c>Fixtures/AeroDB/wal/</c> holds valid
/// WALs, each way of breaking one, and WALs AeroDB's own writer wrote (MVCC records included), with
/// the verdict AeroDB's <c>WalReader::read_all</c> gave each (<c>scripts/aerodb-fixtures/wal.sh</c>
/// regenerates them). The validator must give the same verdict, the same kind of problem at the
/// same record, however the bytes are chunked; and every operation that reads a WAL (validate,
/// checkpoint, backup, verify-backup, restore-backup) must accept exactly the accepted ones.
/// </summary>
public sealed class ReferenceWalVerdictTests
{
    [Fact]
    public void Every_fixture_has_the_readers_verdict_and_both_verdicts_are_well_represented()
    {
        string[] files = Directory.GetFiles(PathOf("wal"), "*.wal").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(files, WalVerdicts.Select(static v => v.Name).Order(StringComparer.Ordinal));
        Assert.True(WalVerdicts.Count(static v => v.Accepted) >= 20);
        foreach (WalProblemKind kind in Enum.GetValues<WalProblemKind>())
        {
            Assert.True(WalVerdicts.Count(v => v.Kind == kind) >= 3, $"fewer than three fixtures the reader refused for {kind}");
        }
    }

    [Fact]
    public void The_validator_gives_every_fixture_the_readers_verdict_at_the_same_record_however_it_is_chunked()
    {
        Gen.Select(Gen.Int[0, WalVerdicts.Count - 1], Gen.Int[1, 97].Array[1, 6], Gen.Bool).Sample((index, chunks, knownLength) =>
        {
            WalVerdict verdict = WalVerdicts[index];
            byte[] wal = File.ReadAllBytes(verdict.Path);
            AssertSameVerdict(verdict, () => Validate(wal, chunks, knownLength));
        }, iter: 4000);

        foreach (WalVerdict verdict in WalVerdicts)
        {
            byte[] wal = File.ReadAllBytes(verdict.Path);
            AssertSameVerdict(verdict, () => Validate(wal, [wal.Length + 1], knownLength: true));
            AssertSameVerdict(verdict, () => Validate(wal, [1], knownLength: false));
        }
    }

    [Fact]
    public void Validating_the_file_gives_the_readers_verdict()
    {
        using var manager = new SnapshotManager();
        foreach (WalVerdict verdict in WalVerdicts)
        {
            AssertSameVerdict(verdict, () =>
            {
                try
                {
                    return manager.ValidateWal(verdict.Path, new SnapshotOptions { BufferSize = 4096 });
                }
                catch (SnapshotException error) when (error.InnerException is WalFrameException frame)
                {
                    Assert.Equal(SnapshotErrorCode.WalCorruption, error.Code);
                    Assert.Equal("K2", error.Invariant);
                    throw frame;
                }
            });
        }
    }

    [Fact]
    public void Checkpoint_accepts_exactly_the_wals_the_reader_accepts_and_changes_nothing_on_the_others()
    {
        using TestDataDirectory data = CheckpointTests.Build(out _);
        using var manager = new SnapshotManager();
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
        string walPath = CheckpointTests.WalPath(data);
        Directory.CreateDirectory(data.SnapshotsDirectory);
        foreach (WalVerdict verdict in WalVerdicts)
        {
            byte[] wal = File.ReadAllBytes(verdict.Path);
            File.WriteAllBytes(walPath, wal);
            string[] snapshotsBefore = Directory.GetDirectories(data.SnapshotsDirectory);
            byte[]? markerBefore = File.Exists(Path.Join(data.Root, CheckpointMarker.FileName)) ? File.ReadAllBytes(Path.Join(data.Root, CheckpointMarker.FileName)) : null;
            clock.Now = clock.Now.AddSeconds(1);

            if (verdict.Accepted)
            {
                CheckpointResult result = CheckpointTests.Run(manager, data, new SnapshotOptions { TimeProvider = clock });
                Assert.Equal(wal.Length, result.WalBytesDropped);
                Assert.Equal(0, new FileInfo(walPath).Length);
                continue;
            }

            SnapshotException error = Assert.Throws<SnapshotException>(() => CheckpointTests.Run(manager, data, new SnapshotOptions { TimeProvider = clock }));
            Assert.True(SnapshotErrorCode.WalCorruption == error.Code, $"{verdict.Name}: {error.Code} {error.Message}");
            Assert.Equal("K2", error.Invariant);
            Assert.Equal(verdict.Offset, Assert.IsType<WalFrameException>(error.InnerException).RecordOffset);
            Assert.Contains($"offset {verdict.Offset}", error.Message, StringComparison.Ordinal);
            Assert.Equal(wal, File.ReadAllBytes(walPath));
            Assert.Equal(snapshotsBefore, Directory.GetDirectories(data.SnapshotsDirectory));
            Assert.Equal(markerBefore, File.Exists(Path.Join(data.Root, CheckpointMarker.FileName)) ? File.ReadAllBytes(Path.Join(data.Root, CheckpointMarker.FileName)) : null);
            Assert.False(File.Exists(Path.Join(data.Root, ".checkpoint-intent")));
        }
    }

    [Fact]
    public void Backup_accepts_exactly_the_wals_the_reader_accepts()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out _, out _, storageBytes: 4096, manager);
        string walPath = Path.Join(data.Root, "wal", "wal.log");
        try
        {
            foreach (WalVerdict verdict in WalVerdicts)
            {
                File.WriteAllBytes(walPath, File.ReadAllBytes(verdict.Path));
                string output = BackupFixture.Scratch(data, verdict.Name + ".tar");
                if (verdict.Accepted)
                {
                    Assert.Equal(verdict.Bytes, BackupFixture.Backup(manager, data.Root, output).WalBytes);
                    continue;
                }

                SnapshotException error = Assert.Throws<SnapshotException>(() => BackupFixture.Backup(manager, data.Root, output));
                Assert.True(SnapshotErrorCode.WalCorruption == error.Code, $"{verdict.Name}: {error.Code} {error.Message}");
                Assert.Equal(verdict.Offset, Assert.IsType<WalFrameException>(error.InnerException).RecordOffset);
                Assert.False(File.Exists(output));
            }
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Verify_backup_and_restore_backup_accept_exactly_the_wals_the_reader_accepts(bool restore)
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out _, out _, storageBytes: 4096, manager);
        using var target = new TestDataDirectory();
        string archive = BackupFixture.Scratch(data, "good.tar");
        string edited = BackupFixture.Scratch(data, "edited.tar");
        try
        {
            BackupFixture.Backup(manager, data.Root, archive);
            List<ArchiveEditor.Item> items = ArchiveEditor.Read(archive);
            int walEntry = items.FindIndex(static i => i.Name == "wal/wal.log");
            foreach (WalVerdict verdict in WalVerdicts)
            {
                byte[] wal = File.ReadAllBytes(verdict.Path);
                items[walEntry] = items[walEntry] with { Data = wal };
                ArchiveEditor.Write(edited, items);
                Func<BackupVerification> run = restore ? () => manager.RestoreBackup(edited, target.Root).Archive : () => manager.VerifyBackup(edited);
                if (verdict.Accepted)
                {
                    Assert.Equal(verdict.Records, run().Wal!.Value.Records);
                    if (restore)
                    {
                        Assert.Equal(wal, File.ReadAllBytes(Path.Join(target.Root, "wal", "wal.log")));
                    }

                    continue;
                }

                IReadOnlyList<string> before = TestDataDirectory.TreeListing(target.Root);
                SnapshotException error = Assert.Throws<SnapshotException>(() => run());
                Assert.True(SnapshotErrorCode.WalCorruption == error.Code, $"{verdict.Name}: {error.Code} {error.Message}");
                Assert.Equal(verdict.Offset, Assert.IsType<WalFrameException>(error.InnerException).RecordOffset);
                Assert.Equal(before, TestDataDirectory.TreeListing(target.Root));
            }
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    private static void AssertSameVerdict(WalVerdict verdict, Func<WalSummary> validate)
    {
        WalSummary summary;
        try
        {
            summary = validate();
        }
        catch (WalFrameException error)
        {
            Assert.False(verdict.Accepted, $"{verdict.Name}: the reader accepted it ({verdict.Output}); we refused it: {error.Message}");
            Assert.True(verdict.Kind == error.Kind, $"{verdict.Name}: the reader said {verdict.Output}; we said {error.Kind}: {error.Message}");
            Assert.True(verdict.Offset == error.RecordOffset, $"{verdict.Name}: the reader refused the record at {verdict.Offset}; we the one at {error.RecordOffset}");
            return;
        }

        Assert.True(verdict.Accepted, $"{verdict.Name}: the reader refused it ({verdict.Output}); we accepted it");
        Assert.Equal(verdict.Records, summary.Records);
        Assert.Equal(verdict.Bytes, summary.Bytes);
        Assert.Equal(verdict.LastSequence, summary.LastSequence ?? 0);
    }

    private static WalSummary Validate(byte[] wal, int[] chunks, bool knownLength)
    {
        var validator = new WalFrameValidator("fixture.wal", knownLength ? wal.Length : null);
        int at = 0;
        for (int i = 0; at < wal.Length; i++)
        {
            int chunk = Math.Min(chunks[i % chunks.Length], wal.Length - at);
            validator.Append(wal.AsSpan(at, chunk));
            at += chunk;
        }

        return validator.Complete();
    }
}

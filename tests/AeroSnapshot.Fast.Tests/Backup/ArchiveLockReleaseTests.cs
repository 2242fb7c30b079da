using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>
/// A backup writes its archive under an exclusive <c>flock</c> (so a second backup to the same
/// output, or a stale-file remover, can tell it is live) and must not hand that lock on with the
/// published archive. Found by CI: another test's <c>Process.Start</c> forked while the backup held
/// the descriptor, the forked child kept the open file description until its <c>exec</c>, and the
/// <c>File.OpenRead</c> of the archive just returned (a .NET <c>FileStream</c> takes <c>LOCK_SH</c>)
/// failed with "being used by another process".
/// </summary>
public sealed class ArchiveLockReleaseTests
{
    [Fact]
    public void A_published_archive_is_not_left_locked_by_a_child_forked_while_the_backup_wrote_it()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out _, out _);
        string archive = BackupFixture.Scratch(data, "b.tar");
        string partial = Path.Join(Path.GetDirectoryName(archive)!, ".b.tar.partial");
        ForkedChildStandIn? child = null;
        try
        {
            var options = new SnapshotOptions
            {
                TimeProvider = new FixedTimeProvider(BackupFixture.SnapshotClock.AddHours(1)),
                Progress = new InlineProgress<SnapshotProgress>(_ => child ??= ForkedChildStandIn.HoldingDescriptorsOn(partial)),
            };

            BackupFixture.Backup(manager, data.Root, archive, options: options);

            Assert.NotNull(child);
            using FileStream reader = File.OpenRead(archive);
            Assert.True(reader.Length > 0);
        }
        finally
        {
            child?.Dispose();
            BackupFixture.DeleteScratch(data);
        }
    }
}

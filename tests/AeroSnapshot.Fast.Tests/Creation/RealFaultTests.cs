using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>Real faults from real file systems and a real failing system call, not simulations.</summary>
public sealed class RealFaultTests
{
    [PrivilegedFact]
    public void Snapshot_that_cannot_fit_fails_early_with_both_numbers_and_leaves_nothing()
    {
        using var tmpfs = new TmpfsMount("8m");
        using var data = new TestDataDirectory(tmpfs.MountPoint);
        data.WriteStorage(5 << 20);
        using var manager = new SnapshotManager();

        var error = Assert.Throws<SnapshotException>(() => data.CreateSnapshot(manager));

        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(SnapshotStep.Prepare, error.Step);
        Assert.Equal(28, error.Errno);
        Assert.Matches("needs about [0-9]+ bytes and [0-9]+ are available", error.Message);
        Assert.Empty(data.SnapshotsListing());
    }

    [PrivilegedFact]
    public void Space_running_out_after_the_check_fails_cleanly_and_gives_the_space_back()
    {
        using var tmpfs = new TmpfsMount("12m");
        using var data = new TestDataDirectory(tmpfs.MountPoint);
        data.WriteStorage(4 << 20);
        using var manager = new SnapshotManager();
        string filler = Path.Join(tmpfs.MountPoint, "filler");
        long freeBefore = new DriveInfo(tmpfs.MountPoint).AvailableFreeSpace;
        var options = new SnapshotOptions
        {
            // Another writer takes the space between the check and the copy.
            BeforeStep = s =>
            {
                if (s == SnapshotStep.CopyStorage)
                {
                    File.WriteAllBytes(filler, new byte[(int)(new DriveInfo(tmpfs.MountPoint).AvailableFreeSpace - (1 << 20))]);
                }
            },
        };

        var error = Assert.Throws<SnapshotException>(() => data.CreateSnapshot(manager, options));

        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(28, error.Errno);
        Assert.Equal(SnapshotStep.CopyStorage, error.Step);
        Assert.Empty(data.SnapshotsListing());
        File.Delete(filler);
        Assert.Equal(freeBefore, new DriveInfo(tmpfs.MountPoint).AvailableFreeSpace);
    }

    [PrivilegedFact(Needs = ["strace"])]
    public void Failing_fdatasync_of_the_storage_copy_is_reported_as_io_error_eio()
    {
        using var data = new TestDataDirectory();
        data.WriteStorage(1 << 20);
        using var manager = new SnapshotManager();

        SnapshotException error;
        using (AttachedStrace.Inject("fdatasync", "EIO", when: "1"))
        {
            error = Assert.Throws<SnapshotException>(() => data.CreateSnapshot(manager));
        }

        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(SnapshotStep.SyncStorage, error.Step);
        Assert.Equal(5, error.Errno);
        Assert.Contains("fdatasync", error.Message, StringComparison.Ordinal);
        Assert.Empty(data.SnapshotsListing());
    }

    [PrivilegedFact(Needs = ["strace"])]
    public void Failing_fsync_of_a_directory_is_reported_and_nothing_is_published()
    {
        using var data = new TestDataDirectory();
        data.WriteStorage(1 << 16);
        data.WriteSchema("a/b.json", "{}");
        using var manager = new SnapshotManager();

        SnapshotException error;
        using (AttachedStrace.Inject("fsync", "EIO", when: "1"))
        {
            error = Assert.Throws<SnapshotException>(() => data.CreateSnapshot(manager));
        }

        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(5, error.Errno);
        Assert.Empty(data.SnapshotsListing());
    }
}

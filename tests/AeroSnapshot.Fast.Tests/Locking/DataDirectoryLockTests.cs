using System.Diagnostics;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Locking;

/// <summary>
/// <c>&lt;data-dir&gt;/LOCK</c> can never be redirected: it is opened without following a link, only a
/// regular file is accepted (checked on the descriptor), a data directory that is a link is refused,
/// and a refused or abandoned acquisition leaves nothing it created behind.
/// </summary>
public sealed class DataDirectoryLockTests : IDisposable
{
    private readonly TestDataDirectory _data = new();
    private readonly TestDataDirectory _outside = new();

    private string LockPath => Path.Join(_data.Root, "LOCK");

    public void Dispose()
    {
        _data.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public void A_missing_lock_file_is_created_and_kept_after_a_normal_release()
    {
        using (DataDirectoryLock held = DataDirectoryLock.Acquire(_data.Root))
        {
            Assert.True(held.CreatedLockFile);
            Assert.Equal(LockPath, held.FilePath);
        }

        Assert.True(File.Exists(LockPath));
    }

    [Fact]
    public void Abandoning_removes_a_lock_file_this_acquisition_created_but_never_one_that_was_there()
    {
        DataDirectoryLock created = DataDirectoryLock.Acquire(_data.Root);
        created.Abandon();
        Assert.False(File.Exists(LockPath));

        File.WriteAllText(LockPath, "the database's");
        DataDirectoryLock existing = DataDirectoryLock.Acquire(_data.Root);
        Assert.False(existing.CreatedLockFile);
        existing.Abandon();
        Assert.Equal("the database's", File.ReadAllText(LockPath));
    }

    [Fact]
    public void A_dangling_symlink_at_LOCK_is_refused_and_its_target_is_never_created()
    {
        string target = Path.Join(_outside.Root, "created-by-root");
        File.CreateSymbolicLink(LockPath, target);

        SnapshotException error = Assert.Throws<SnapshotException>(() => DataDirectoryLock.Acquire(_data.Root));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(LockPath, error.Path);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.False(Path.Exists(target));
        Assert.NotNull(File.ResolveLinkTarget(LockPath, returnFinalTarget: false)); // the link itself left alone
    }

    [Fact]
    public void A_symlink_at_LOCK_to_an_existing_file_is_refused_and_the_file_untouched()
    {
        string target = Path.Join(_outside.Root, "other");
        File.WriteAllText(target, "someone else's");
        File.CreateSymbolicLink(LockPath, target);

        SnapshotException error = Assert.Throws<SnapshotException>(() => DataDirectoryLock.Acquire(_data.Root));

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Equal("someone else's", File.ReadAllText(target));
    }

    [Theory]
    [InlineData("directory")]
    [InlineData("FIFO")]
    public void A_LOCK_that_is_not_a_regular_file_is_refused_naming_what_it_is(string kind)
    {
        if (kind == "directory")
        {
            Directory.CreateDirectory(LockPath);
        }
        else
        {
            Assert.Equal(0, ExternalCommand.Start(new ProcessStartInfo("mkfifo", [LockPath])).WaitForExitAndGetCode());
        }

        SnapshotException error = Assert.Throws<SnapshotException>(() => DataDirectoryLock.Acquire(_data.Root));

        Assert.Equal(LockPath, error.Path);
        Assert.Contains(kind == "directory" ? "directory" : "FIFO", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_directory_that_is_a_symlink_is_refused_and_nothing_is_created()
    {
        string link = Path.Join(_outside.Root, "data-link");
        Directory.CreateSymbolicLink(link, _data.Root);

        SnapshotException error = Assert.Throws<SnapshotException>(() => DataDirectoryLock.Acquire(link));

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(LockPath));
    }

    [Fact]
    public void A_missing_data_directory_is_refused_and_not_created()
    {
        string missing = Path.Join(_outside.Root, "missing");

        SnapshotException error = Assert.Throws<SnapshotException>(() => DataDirectoryLock.Acquire(missing));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(Path.Exists(missing));
    }

    [Fact]
    public void Releasing_frees_LOCK_at_once_even_while_a_child_forked_meanwhile_still_shares_the_descriptor()
    {
        // Found by CI: a test's Process.Start forked while a backup held its lock, and the reader
        // after it was refused. The database taking LOCK after a snapshot would be refused the same way.
        DataDirectoryLock held = DataDirectoryLock.Acquire(_data.Root);
        using ForkedChildStandIn child = ForkedChildStandIn.HoldingDescriptorsOn(LockPath);

        held.Dispose();

        using DataDirectoryLock next = DataDirectoryLock.Acquire(_data.Root);
        Assert.Equal(LockPath, next.FilePath);
    }

    /// <summary>
    /// A caller who may not create <c>LOCK</c> (the data directory is not writable to it) is refused
    /// with the errno of the exclusive create, and nothing is created.
    /// </summary>
    [PrivilegedFact]
    public void A_caller_who_may_not_create_LOCK_is_refused_with_EACCES_and_nothing_is_created()
    {
        File.SetUnixFileMode(_data.Root, (UnixFileMode)0b101_101_101);

        SnapshotException error;
        using (new UnprivilegedFileAccess())
        {
            error = Assert.Throws<SnapshotException>(() => DataDirectoryLock.Acquire(_data.Root));
        }

        Assert.Equal(13, error.Errno);
        Assert.Equal(LockPath, error.Path);
        Assert.Contains("EACCES", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(LockPath));
    }

    /// <summary>
    /// An existing <c>LOCK</c> the caller may not open: the exclusive create meets EEXIST, the plain
    /// open EACCES, and that second errno is the one reported; the file, which this caller did not
    /// create, is kept as it was. The same with <c>AcquireIfPresent</c> (restore), which must not
    /// take the EACCES for a missing file.
    /// </summary>
    [PrivilegedFact]
    public void An_existing_LOCK_the_caller_may_not_open_is_refused_with_EACCES_and_kept()
    {
        File.WriteAllText(LockPath, "the database's");
        File.SetUnixFileMode(LockPath, UnixFileMode.None);

        SnapshotException acquire, ifPresent;
        using (new UnprivilegedFileAccess())
        {
            acquire = Assert.Throws<SnapshotException>(() => DataDirectoryLock.Acquire(_data.Root));
            ifPresent = Assert.Throws<SnapshotException>(() => DataDirectoryLock.AcquireIfPresent(_data.Root));
        }

        Assert.All([acquire, ifPresent], static e => Assert.Equal(13, e.Errno));
        Assert.All([acquire, ifPresent], e => Assert.Equal(LockPath, e.Path));
        Assert.Equal("the database's", File.ReadAllText(LockPath));
    }

    [Fact]
    public void A_missing_LOCK_is_not_created_when_only_a_present_one_is_wanted()
    {
        Assert.Null(DataDirectoryLock.AcquireIfPresent(_data.Root));
        Assert.False(File.Exists(LockPath));
    }

    [Fact]
    public void A_second_holder_is_refused_at_once_naming_the_lock_file()
    {
        using DataDirectoryLock first = DataDirectoryLock.Acquire(_data.Root);

        SnapshotException error = Assert.Throws<SnapshotException>(() => DataDirectoryLock.Acquire(_data.Root));

        Assert.Equal(LockPath, error.Path);
        Assert.Equal(11, error.Errno);
        Assert.Contains("is in use", error.Message, StringComparison.Ordinal);
    }
}

internal static class ProcessExtensions
{
    public static int WaitForExitAndGetCode(this Process process)
    {
        using (process)
        {
            process.WaitForExit();
            return process.ExitCode;
        }
    }
}

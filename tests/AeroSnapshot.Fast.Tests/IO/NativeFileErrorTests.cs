using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Tests.Support;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Tests.IO;

/// <summary>
/// The "try" primitives tell the one errno they expect (nothing there, something already there)
/// from every other failure, which they throw naming the call, the path and the errno. Found by the
/// second mutation pass of issue #17: their error branches (<c>NativeFile.Control</c> 24–46, 139)
/// had no test, so a failure turned into "nothing there" would have passed.
/// </summary>
public sealed class NativeFileErrorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aerosnap-io-").FullName;

    public void Dispose()
    {
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_000_000);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Opening_for_read_what_is_not_there_gives_null()
        => Assert.Null(NativeFile.TryOpenForRead(Path.Join(_root, "missing")));

    [PrivilegedFact]
    public void Opening_for_read_a_file_the_caller_may_not_read_throws_EACCES_naming_it()
    {
        string path = Path.Join(_root, "secret");
        File.WriteAllText(path, "x");
        File.SetUnixFileMode(path, UnixFileMode.None);
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);

        NativeIOException error;
        using (new UnprivilegedFileAccess())
        {
            error = Assert.Throws<NativeIOException>(() => NativeFile.TryOpenForRead(path)?.Dispose());
        }

        Assert.Equal(("open", path, 13), (error.Operation, error.Path, error.Errno));
    }

    [Fact]
    public void Creating_where_something_stands_gives_null_and_leaves_it_as_it_was()
    {
        string path = Path.Join(_root, "taken");
        File.WriteAllText(path, "kept");

        Assert.Null(NativeFile.TryCreateNewReadWrite(path, FileModes.File));
        Assert.Equal("kept", File.ReadAllText(path));
    }

    [PrivilegedFact]
    public void Creating_in_a_directory_the_caller_may_not_write_throws_EACCES_naming_the_path()
    {
        string path = Path.Join(_root, "new");
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);

        NativeIOException error;
        using (new UnprivilegedFileAccess())
        {
            error = Assert.Throws<NativeIOException>(() => NativeFile.TryCreateNewReadWrite(path, FileModes.File)?.Dispose());
        }

        Assert.Equal(("create", path, 13), (error.Operation, error.Path, error.Errno));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Removing_a_directory_that_is_not_empty_throws_ENOTEMPTY_naming_it_and_removes_nothing()
    {
        string directory = Path.Join(_root, "full");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Join(directory, "inside"), "x");

        NativeIOException error = Assert.Throws<NativeIOException>(() => NativeFile.RemoveDirectory(directory));

        Assert.Equal(("rmdir", directory, 39), (error.Operation, error.Path, error.Errno));
        Assert.True(File.Exists(Path.Join(directory, "inside")));
    }

    [Fact]
    public void Removing_an_empty_directory_if_empty_says_whether_it_did_and_fails_on_a_file()
    {
        string directory = Path.Join(_root, "maybe-empty");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Join(directory, "inside"), "x");
        string file = Path.Join(_root, "a-file");
        File.WriteAllText(file, "x");

        Assert.False(NativeFile.TryRemoveEmptyDirectory(directory));
        Assert.False(NativeFile.TryRemoveEmptyDirectory(Path.Join(_root, "missing")));
        NativeIOException error = Assert.Throws<NativeIOException>(() => NativeFile.TryRemoveEmptyDirectory(file));
        File.Delete(Path.Join(directory, "inside"));
        Assert.True(NativeFile.TryRemoveEmptyDirectory(directory));

        Assert.Equal(("rmdir", file, 20), (error.Operation, error.Path, error.Errno));
        Assert.False(Directory.Exists(directory));
        Assert.True(File.Exists(file));
    }

    [Fact]
    public void Making_a_directory_where_something_stands_gives_false_and_under_a_file_throws_ENOTDIR()
    {
        string file = Path.Join(_root, "a-file");
        File.WriteAllText(file, "x");

        Assert.False(NativeFile.TryMakeDirectory(file));
        NativeIOException error = Assert.Throws<NativeIOException>(() => NativeFile.TryMakeDirectory(Path.Join(file, "below")));

        Assert.Equal(("mkdir", Path.Join(file, "below"), 20), (error.Operation, error.Path, error.Errno));
        Assert.True(NativeFile.TryMakeDirectory(Path.Join(_root, "new")));
        Assert.True(Directory.Exists(Path.Join(_root, "new")));
    }

    [Fact]
    public void Truncating_a_file_opened_read_only_throws_naming_it()
    {
        string path = Path.Join(_root, "read-only");
        File.WriteAllText(path, "12345");
        using SafeFileHandle handle = NativeFile.TryOpenForRead(path)!;

        NativeIOException error = Assert.Throws<NativeIOException>(() => NativeFile.Truncate(handle, path, 0));

        Assert.Equal(("ftruncate", path), (error.Operation, error.Path));
        Assert.True(error.Errno is 9 or 22, $"EBADF or EINVAL, not {error.Errno}");
        Assert.Equal("12345", File.ReadAllText(path));
    }
}

using System.Globalization;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Tests.IO;

/// <summary>
/// The open flags of each primitive, seen from what they refuse: <c>O_NOFOLLOW</c> refuses a
/// symbolic link (<c>ELOOP</c>; Linux says <c>ENOTDIR</c> when <c>O_DIRECTORY</c> is set too, and
/// without <c>O_NOFOLLOW</c> the open would follow the link and succeed), <c>O_DIRECTORY</c>
/// refuses a file where a directory is expected (<c>ENOTDIR</c>), <c>O_NONBLOCK</c> keeps a FIFO from hanging the open, and <c>O_CLOEXEC</c>
/// keeps the descriptor out of any program the process starts. Found by the second mutation pass
/// of issue #17: every one of these flags could be dropped (<c>|</c> → <c>&amp;</c>) without failing
/// a library test; only the tool's hostile-tree tests, in another process, met such entries.
/// </summary>
public sealed class OpenFlagsTests : IDisposable
{
    private const int CloseOnExec = 0x80000; // O_CLOEXEC as /proc/self/fdinfo prints it (octal 02000000)

    private readonly string _root = Directory.CreateTempSubdirectory("aerosnap-flags-").FullName;

    public OpenFlagsTests()
    {
        Directory.CreateDirectory(Path.Join(_root, "dir"));
        File.WriteAllText(Path.Join(_root, "file"), "x");
        File.CreateSymbolicLink(Path.Join(_root, "link-to-dir"), Path.Join(_root, "dir"));
        File.CreateSymbolicLink(Path.Join(_root, "link-to-file"), Path.Join(_root, "file"));
        ExternalCommand.Run("mkfifo", Path.Join(_root, "fifo"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Opening_a_directory_by_path_refuses_a_link_and_a_file()
    {
        Assert.Equal(Errno.ENOTDIR, Assert.Throws<NativeIOException>(() => DirectoryHandle.Open(Path.Join(_root, "link-to-dir"))).Errno);
        Assert.Equal(Errno.ENOTDIR, Assert.Throws<NativeIOException>(() => DirectoryHandle.Open(Path.Join(_root, "file"))).Errno);
    }

    [Fact]
    public void Opening_a_child_directory_refuses_a_link_and_a_file_by_name_and_by_raw_name()
    {
        using DirectoryHandle root = DirectoryHandle.Open(_root);

        Assert.Equal(Errno.ENOTDIR, Assert.Throws<NativeIOException>(() => root.OpenDirectory("link-to-dir")).Errno);
        Assert.Equal(Errno.ENOTDIR, Assert.Throws<NativeIOException>(() => root.OpenDirectory("file")).Errno);
        Assert.Equal(Errno.ENOTDIR, Assert.Throws<NativeIOException>(() => root.OpenDirectory("link-to-dir"u8)).Errno);
        Assert.Equal(Errno.ENOTDIR, Assert.Throws<NativeIOException>(() => root.OpenDirectory("file"u8)).Errno);
    }

    [Fact]
    public async Task Opening_a_child_for_reading_refuses_a_link_and_does_not_hang_on_a_fifo()
    {
        using DirectoryHandle root = DirectoryHandle.Open(_root);

        Assert.Equal(Errno.ELOOP, Assert.Throws<NativeIOException>(() => root.OpenForRead("link-to-file", out _)).Errno);
        FileKind? kind = null;
        var open = Task.Run(() =>
        {
            using SafeFileHandle handle = root.OpenForRead("fifo", out FileStatus status);
            kind = status.Kind;
        });
        Task first = await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(first == open, "opening a FIFO blocked: O_NONBLOCK is missing");
        await open;
        Assert.Equal(FileKind.Fifo, kind);
    }

    [Fact]
    public void Opening_for_a_sync_refuses_a_link_and_a_file_where_a_directory_is_expected()
    {
        Assert.Equal(Errno.ENOTDIR, Assert.Throws<NativeIOException>(() => NativeFile.OpenForSync(Path.Join(_root, "link-to-dir"), directory: true)).Errno);
        Assert.Equal(Errno.ENOTDIR, Assert.Throws<NativeIOException>(() => NativeFile.OpenForSync(Path.Join(_root, "file"), directory: true)).Errno);
        Assert.Equal(Errno.ELOOP, Assert.Throws<NativeIOException>(() => NativeFile.OpenForSync(Path.Join(_root, "link-to-file"), directory: false)).Errno);
    }

    [Fact]
    public void Every_descriptor_the_primitives_open_is_closed_on_exec()
    {
        using DirectoryHandle root = DirectoryHandle.Open(_root);
        using DirectoryHandle child = root.OpenDirectory("dir");
        using DirectoryHandle raw = root.OpenDirectory("dir"u8);
        using SafeFileHandle read = root.OpenForRead("file", out _);
        using SafeFileHandle sync = NativeFile.OpenForSync(_root, directory: true);

        Assert.All(
            OpenDescriptorsUnder(_root),
            fd => Assert.True((FlagsOf(fd) & CloseOnExec) != 0, $"descriptor {fd} is not O_CLOEXEC"));
        Assert.True(OpenDescriptorsUnder(_root).Count >= 5);
    }

    private static List<int> OpenDescriptorsUnder(string root)
    {
        var fds = new List<int>();
        foreach (string entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(entry).LinkTarget is { } target && target.StartsWith(root, StringComparison.Ordinal))
                {
                    fds.Add(int.Parse(Path.GetFileName(entry), CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
                // closed meanwhile by another test's thread
            }
        }

        return fds;
    }

    private static int FlagsOf(int fd)
    {
        string line = File.ReadLines($"/proc/self/fdinfo/{fd}").First(static l => l.StartsWith("flags:", StringComparison.Ordinal));
        return Convert.ToInt32(line["flags:".Length..].Trim(), 8);
    }
}

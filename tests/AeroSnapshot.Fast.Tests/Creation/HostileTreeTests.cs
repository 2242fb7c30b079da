using System.Diagnostics;
using System.Runtime.InteropServices;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>
/// Anything in the schema tree that is not a regular file or a directory fails the snapshot at
/// once, naming the path, without reading anything outside the tree and without blocking.
/// </summary>
public sealed partial class HostileTreeTests : IDisposable
{
    private readonly TestDataDirectory _data = new();
    private readonly TestDataDirectory _outside = new();
    private readonly SnapshotManager _manager = new();

    public HostileTreeTests()
    {
        _data.WriteStorage(4096);
        _data.WriteSchema("ok.json", "{}");
    }

    public void Dispose()
    {
        _manager.Dispose();
        _data.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public void Fifo_in_the_schema_tree_fails_fast_naming_it()
    {
        string fifo = Path.Join(_data.SchemaDirectory, "pipe.json");
        Assert.Equal(0, mkfifo(fifo, 0b110_100_100));

        AssertRefusedQuickly(fifo, "FIFO");
    }

    [Fact]
    public void Symlink_to_a_file_outside_the_tree_fails_naming_the_link_and_never_opens_the_target()
    {
        // The target is a FIFO: opening it would block, so finishing at all proves it was never opened.
        string target = Path.Join(_outside.Root, "secret");
        Assert.Equal(0, mkfifo(target, 0b110_100_100));
        string link = Path.Join(_data.SchemaDirectory, "link.json");
        File.CreateSymbolicLink(link, target);

        AssertRefusedQuickly(link, "symbolic link");
    }

    [Fact]
    public void Symlink_loop_fails_naming_the_link()
    {
        string loop = Path.Join(_data.SchemaDirectory, "loop");
        Directory.CreateSymbolicLink(loop, _data.SchemaDirectory);

        AssertRefusedQuickly(loop, "symbolic link");
    }

    [Fact]
    public void Socket_in_the_schema_tree_fails_naming_it()
    {
        string socketPath = Path.Join(_data.SchemaDirectory, "s.sock");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));

        AssertRefusedQuickly(socketPath, "socket");
    }

    [PrivilegedFact]
    public void Device_node_in_the_schema_tree_fails_naming_it()
    {
        string device = Path.Join(_data.SchemaDirectory, "null.json");
        ExternalCommand.Run("mknod", device, "c", "1", "3");

        AssertRefusedQuickly(device, "character device");
    }

    [Fact]
    public void Schema_file_name_that_is_not_utf8_fails_naming_it()
    {
        string directory = _data.SchemaDirectory;
        byte[] name = [.. System.Text.Encoding.UTF8.GetBytes(directory + "/bad-"), 0xff, 0xfe, (byte)'.', (byte)'j'];
        int fd = open([.. name, 0], 0x41 /* O_WRONLY|O_CREAT */, 0b110_100_100);
        Assert.True(fd >= 0);
        Assert.Equal(0, close(fd));

        AssertRefusedQuickly("bad-\\xff\\xfe.j", "UTF-8");
    }

    [Fact]
    public void Storage_path_that_is_a_directory_fails_naming_it()
    {
        string directory = Path.Join(_data.Root, "storage-dir");
        Directory.CreateDirectory(directory);
        var executionLock = new GlobalExecutionLock();

        var error = Assert.Throws<SnapshotException>(() =>
        {
            using (executionLock.Acquire())
            {
                _manager.CreateSnapshot(_data.Root, directory, _data.SchemaDirectory, WalDurability.None, executionLock);
            }
        });

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(directory, error.Path);
        Assert.Empty(_data.SnapshotsListing());
    }

    [Fact]
    public void Schema_path_that_is_a_file_fails_naming_it()
    {
        string file = Path.Join(_data.Root, "schemas-file");
        File.WriteAllText(file, "x");
        var executionLock = new GlobalExecutionLock();

        var error = Assert.Throws<SnapshotException>(() =>
        {
            using (executionLock.Acquire())
            {
                _manager.CreateSnapshot(_data.Root, _data.StoragePath, file, WalDurability.None, executionLock);
            }
        });

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(file, error.Path);
    }

    private void AssertRefusedQuickly(string pathOrFragment, string reasonFragment)
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager));
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Contains(pathOrFragment, error.Message, StringComparison.Ordinal);
        Assert.Contains(reasonFragment, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Path);
        Assert.Empty(Directory.Exists(_data.SnapshotsDirectory) ? Directory.EnumerateFileSystemEntries(_data.SnapshotsDirectory) : []);
    }

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkfifo(string path, uint mode);

    [LibraryImport("libc.so.6")]
    private static partial int open(byte[] path, int flags, uint mode);

    [LibraryImport("libc.so.6")]
    private static partial int close(int fd);
}

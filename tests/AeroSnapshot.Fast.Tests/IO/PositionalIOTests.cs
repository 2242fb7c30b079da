using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Tests.IO;

/// <summary>
/// Issue 26: every byte the library reads from or writes to a file goes through IO/PositionalIO, and
/// whatever the runtime throws leaves it as a NativeIOException naming the call, the path and the errno.
/// </summary>
public sealed class PositionalIOTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aerosnap-pio-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void No_file_is_read_or_written_positionally_outside_IO()
    {
        string root = TestSuiteRules.RepositoryRoot();
        string allowed = Path.Join(root, "src", "AeroSnapshot.Fast", "IO", "PositionalIO.cs");
        var found = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Join(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            if (file == allowed || file.Contains("/obj/", StringComparison.Ordinal) || file.Contains("/bin/", StringComparison.Ordinal))
            {
                continue;
            }

            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                if (!line.StartsWith("//", StringComparison.Ordinal) && (line.Contains("RandomAccess.", StringComparison.Ordinal) || line.Contains("new FileStream(", StringComparison.Ordinal)))
                {
                    found.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {line}");
                }
            }
        }

        Assert.True(found.Count == 0, "positional I/O outside IO/PositionalIO:\n" + string.Join('\n', found));
    }

    [Fact]
    public void A_read_the_runtime_refuses_with_UnauthorizedAccessException_keeps_its_errno_and_path()
    {
        // A write-only descriptor: read(2) fails with EBADF, which the runtime raises as
        // UnauthorizedAccessException, not IOException (a catch of IOException alone lost it).
        string path = Path.Join(_directory, "write-only");
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);

        var error = Assert.Throws<NativeIOException>(() => PositionalIO.ReadFull(handle, path, new byte[16], 0));

        Assert.Equal(("read", path, Errno.EBADF), (error.Operation, error.Path, error.Errno));
    }

    [Fact]
    public void A_write_the_runtime_refuses_keeps_its_errno_and_path()
    {
        string path = Path.Join(_directory, "read-only");
        File.WriteAllBytes(path, [1, 2, 3]);
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);

        var error = Assert.Throws<NativeIOException>(() => PositionalIO.WriteAll(handle, path, [4, 5], 0));

        Assert.Equal(("write", path, Errno.EBADF), (error.Operation, error.Path, error.Errno));
    }

    [Fact]
    public void ReadFull_fills_the_buffer_unless_the_file_ends_and_ReadSmallFile_refuses_a_file_over_its_limit()
    {
        string path = Path.Join(_directory, "small");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);

        byte[] buffer = new byte[8];
        Assert.Equal(3, PositionalIO.ReadFull(handle, path, buffer, 2));
        Assert.Equal([3, 4, 5], buffer[..3]);
        Assert.Equal([1, 2, 3, 4, 5], PositionalIO.ReadSmallFile(handle, path, 5, limit: 5));
        Assert.Equal(Errno.EINVAL, Assert.Throws<NativeIOException>(() => PositionalIO.ReadSmallFile(handle, path, 5, limit: 4)).Errno);
    }
}

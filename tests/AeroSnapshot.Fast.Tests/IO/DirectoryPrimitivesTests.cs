using System.Text;
using AeroSnapshot.Fast.IO.Interop;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Tests.IO;

/// <summary>
/// The small file-system primitives under checkpoint, restore and verify, pinned where the mutation run
/// of issue #17 showed no test would notice a change: a durable replace survives the temporary file a
/// crash left behind; removal reports whether it removed; a small file exactly at its limit is read
/// and one byte over is refused naming it; deleting a tree never follows a symbolic link; and the
/// descriptor chain that reads a snapshot's files never hands back a directory of the same name
/// under another parent; and no entry operation accepts a name that is not a child (<c>.</c>,
/// <c>..</c>, empty, or with a slash), so a listing that let <c>..</c> through could not make a
/// recursive delete climb out of its tree.
/// </summary>
public sealed class DirectoryPrimitivesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aerosnap-io-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_durable_replace_succeeds_over_the_temporary_file_a_crash_left()
    {
        string path = Path.Join(_root, "marker");
        File.WriteAllText(path + DurableFile.TemporarySuffix, "half written before a crash");

        DurableFile.Replace(path, "new content"u8);

        Assert.Equal("new content", File.ReadAllText(path));
        Assert.False(File.Exists(path + DurableFile.TemporarySuffix));
    }

    [Fact]
    public void Removal_says_whether_there_was_something_to_remove()
    {
        string path = Path.Join(_root, "leftover");
        File.WriteAllText(path, "x");

        Assert.True(DurableFile.RemoveIfPresent(path));
        Assert.False(File.Exists(path));
        Assert.False(DurableFile.RemoveIfPresent(path));
    }

    [Fact]
    public void A_small_file_at_its_limit_is_read_whole_and_one_byte_more_is_refused_naming_it()
    {
        string path = Path.Join(_root, "small");
        Assert.Null(DurableFile.TryReadSmall(path, 8));

        File.WriteAllText(path, "12345678");
        Assert.Equal("12345678"u8.ToArray(), DurableFile.TryReadSmall(path, 8));

        File.WriteAllText(path, "123456789");
        var error = Assert.Throws<NativeIOException>(() => DurableFile.TryReadSmall(path, 8));
        Assert.Equal(path, error.Path);
        Assert.Equal(Errno.EINVAL, error.Errno);
        Assert.Contains("9 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deleting_a_symbolic_link_to_a_directory_removes_the_link_and_nothing_it_points_to()
    {
        string elsewhere = Path.Join(_root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Join(elsewhere, "keep.txt"), "keep");
        string link = Path.Join(_root, "link");
        File.CreateSymbolicLink(link, elsewhere);

        DirectoryTree.Delete(link);

        Assert.False(File.Exists(link) || Directory.Exists(link));
        Assert.Equal("keep", File.ReadAllText(Path.Join(elsewhere, "keep.txt")));
    }

    [Fact]
    public void Deleting_a_regular_file_or_nothing_works()
    {
        string file = Path.Join(_root, "file");
        File.WriteAllText(file, "x");

        DirectoryTree.Delete(file);
        DirectoryTree.Delete(file);

        Assert.False(File.Exists(file));
    }

    [Fact]
    public void Deleting_a_tree_removes_nested_read_only_directories()
    {
        string tree = Path.Join(_root, "tree");
        Directory.CreateDirectory(Path.Join(tree, "a", "b"));
        File.WriteAllText(Path.Join(tree, "a", "b", "f"), "x");
        File.SetUnixFileMode(Path.Join(tree, "a", "b"), UnixFileMode.UserRead | UnixFileMode.UserExecute);

        DirectoryTree.Delete(tree);

        Assert.False(Directory.Exists(tree));
    }

    [Fact]
    public void The_descriptor_chain_reads_same_named_directories_under_different_parents_apart()
    {
        foreach (string path in new[] { "a/b/x.json", "c/b/y.json", "c/b/z/w.json", "c/d.json" })
        {
            string full = Path.Join(_root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, path);
        }

        using DirectoryHandle root = DirectoryHandle.Open(_root);
        using var chain = new DirectoryChain(root);
        foreach (string path in new[] { "a/b/x.json", "c/b/y.json", "c/b/z/w.json", "c/d.json" })
        {
            using SafeFileHandle file = chain.OpenForRead(path, out FileStatus status);
            byte[] content = new byte[status.Size];
            Assert.Equal(content.Length, RandomAccess.Read(file, content, 0));
            Assert.Equal(path, Encoding.UTF8.GetString(content));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("../x")]
    [InlineData("/x")]
    [InlineData("\0x")]
    [InlineData("a\0b")]
    public void No_entry_operation_takes_a_name_that_is_not_a_child(string name)
    {
        Directory.CreateDirectory(Path.Join(_root, "inner", "a"));
        File.WriteAllText(Path.Join(_root, "outside"), "must survive");
        byte[] raw = Encoding.UTF8.GetBytes(name);
        using DirectoryHandle inner = DirectoryHandle.Open(Path.Join(_root, "inner"));
        using DirectoryHandle other = DirectoryHandle.Open(_root);

        Assert.Throws<InvalidOperationException>(() => inner.OpenDirectory(raw).Dispose());
        Assert.Throws<InvalidOperationException>(() => inner.OpenDirectory(name).Dispose());
        Assert.Throws<InvalidOperationException>(() => inner.TryRemove(raw, directory: true));
        Assert.Throws<InvalidOperationException>(() => inner.TryRemove(raw, directory: false));
        Assert.Throws<InvalidOperationException>(() => inner.TryChmod(raw, FileModes.PrivateDirectory));
        Assert.Throws<InvalidOperationException>(() => DirectoryHandle.TryMove(inner, raw, other));

        Assert.Equal("must survive", File.ReadAllText(Path.Join(_root, "outside")));
        Assert.True(Directory.Exists(Path.Join(_root, "inner", "a")));
    }

    [Fact]
    public void Names_that_only_look_like_dots_are_children_like_any_other()
    {
        foreach (string name in new[] { "...", ".a", "..b" })
        {
            Directory.CreateDirectory(Path.Join(_root, name));
        }

        using DirectoryHandle root = DirectoryHandle.Open(_root);
        foreach (string name in new[] { "...", ".a", "..b" })
        {
            using (root.OpenDirectory(Encoding.UTF8.GetBytes(name)))
            {
            }

            Assert.Equal(0, root.TryRemove(Encoding.UTF8.GetBytes(name), directory: true));
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }
}

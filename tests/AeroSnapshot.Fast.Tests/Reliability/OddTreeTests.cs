using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.IO.Interop;
using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Verification;
using Xunit.Abstractions;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// Suite 5: source trees a real data directory can end up with, beyond the hostile ones in
/// <see cref="Creation.HostileTreeTests"/> (FIFO, socket, device node, symlinks out of the tree and
/// in a loop, a name that is not UTF-8, storage path that is a directory, schema path that is a
/// file). Each case either works — the snapshot verifies and is byte for byte the source — or
/// fails within a second with a <see cref="SnapshotException"/> naming the path, leaving nothing
/// under <c>snapshots/</c>.
/// </summary>
public sealed class OddTreeTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan FailFast = TimeSpan.FromSeconds(1);

    private readonly TestDataDirectory _data = new();
    private readonly SnapshotManager _manager = new();

    public void Dispose()
    {
        _manager.Dispose();
        _data.Dispose();
    }

    [Fact]
    public void Empty_storage_file_is_copied_and_verifies()
    {
        _data.WriteStorage([]);
        _data.WriteSchema("a.json", "{}");

        AssertCopiedAndVerifies(_data.CreateSnapshot(_manager));
    }

    [Fact]
    public void Schema_names_of_255_bytes_are_copied_and_verify()
    {
        _data.WriteStorage(4096);

        // The longest name a Linux file system takes, as ASCII and as two-byte UTF-8 (127 × 'é' + 'x').
        string ascii = new string('n', 250) + ".json";
        string accented = string.Concat(Enumerable.Repeat("é", 127)) + "x";
        Assert.Equal(255, Encoding.UTF8.GetByteCount(ascii));
        Assert.Equal(255, Encoding.UTF8.GetByteCount(accented));
        _data.WriteSchema(ascii, "{\"ascii\":true}");
        _data.WriteSchema(accented + "/" + ascii, "{\"nested\":true}");

        AssertCopiedAndVerifies(_data.CreateSnapshot(_manager));
    }

    [Fact]
    public void Two_hundred_levels_of_nesting_are_copied_and_verify()
    {
        _data.WriteStorage(4096);
        string deep = string.Join('/', Enumerable.Range(0, 200).Select(static i => "level" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _data.WriteSchema(deep + "/bottom.json", "{\"depth\":200}");
        _data.WriteSchema("level0/level1/side.json", "{}");

        AssertCopiedAndVerifies(_data.CreateSnapshot(_manager));
    }

    [PrivilegedFact]
    public void Ten_thousand_small_schema_files_are_copied_and_verify()
    {
        // On tmpfs: this pins correctness at that count (fd batches, manifest size, ordering), not
        // fsync cost. On this machine's ext4 the same snapshot spent ≈12 s syncing (one device
        // flush per fdatasync) and set-up plus clean-up took longer still, too slow for every CI run.
        using var tmpfs = new TmpfsMount("256m");
        using var data = new TestDataDirectory(tmpfs.MountPoint);
        data.WriteStorage(64 * 1024);
        for (int directory = 0; directory < 100; directory++)
        {
            Directory.CreateDirectory(Path.Join(data.SchemaDirectory, $"collection{directory:D3}"));
            for (int file = 0; file < 100; file++)
            {
                File.WriteAllText(Path.Join(data.SchemaDirectory, $"collection{directory:D3}", $"schema{file:D3}.json"), $"{{\"collection\":{directory},\"version\":{file}}}");
            }
        }

        var clock = Stopwatch.StartNew();
        var steps = new List<(SnapshotStep Step, long Milliseconds)>();
        SnapshotId id = data.CreateSnapshot(_manager, new SnapshotOptions { BeforeStep = step => steps.Add((step, clock.ElapsedMilliseconds)) });
        output.WriteLine($"10,000 schema files: snapshot taken in {clock.ElapsedMilliseconds} ms; steps started at {string.Join(", ", steps.Select(static s => $"{s.Step} {s.Milliseconds} ms"))}");

        AssertCopiedAndVerifies(_manager, data, id);
        Assert.Equal(10_001, _manager.Verify(data.SnapshotDirectory(id)).FilesVerified);
    }

    [Fact]
    public void Schema_path_whose_staging_copy_just_fits_in_PATH_MAX_is_copied_and_verifies()
    {
        // The copy is built under snapshots/.staging-<id>/schemas/, 27 bytes longer than
        // metadata/schemas/: a source path of 4068 bytes makes a 4095-byte staging path, the
        // longest a system call takes (PATH_MAX is 4096 with the terminating NUL).
        string file = LongSchemaPath(sourcePathBytes: PathMax - 1 - StagingExtraBytes);
        _data.WriteSchema(Path.GetRelativePath(_data.SchemaDirectory, file), "{\"long\":true}");
        _data.WriteStorage(4096);

        AssertCopiedAndVerifies(_data.CreateSnapshot(_manager));
    }

    [Fact]
    public void Schema_path_whose_staging_copy_exceeds_PATH_MAX_fails_fast_naming_it_and_leaves_nothing()
    {
        // The source is readable (4095 bytes) but its copy's path would be 4122: ENAMETOOLONG.
        string file = LongSchemaPath(sourcePathBytes: PathMax - 1);
        _data.WriteSchema(Path.GetRelativePath(_data.SchemaDirectory, file), "{\"long\":true}");
        _data.WriteStorage(4096);

        var steps = new List<SnapshotStep>();
        SnapshotException error = AssertFailsFast(() => _data.CreateSnapshot(_manager, new SnapshotOptions { BeforeStep = steps.Add }));

        output.WriteLine(error.Message);
        Assert.Equal(36 /* ENAMETOOLONG */, error.Errno);
        Assert.Null(error.CleanupFailure);
        AssertNothingLeft();

        // The source path is named (the staging path means nothing to an operator), and the tree is
        // refused while preparing, before the storage copy: regression test for a refusal that came
        // from the schema copy, after the whole storage file had been copied with writes paused.
        Assert.Equal(file, error.Path);
        Assert.Equal(SnapshotStep.Prepare, error.Step);
        Assert.DoesNotContain(SnapshotStep.CopyStorage, steps);

        // And the next snapshot is not blocked by a leftover it cannot remove.
        File.Delete(file);
        AssertCopiedAndVerifies(_data.CreateSnapshot(_manager));
    }

    [Fact]
    public void Schema_tree_deeper_than_PATH_MAX_fails_fast_naming_a_path_and_leaves_nothing()
    {
        // 20 directories of 250-byte names: over 5,000 bytes below schemas/, a tree that exists
        // (made one component at a time) but whose paths no single system call accepts.
        _data.WriteStorage(4096);
        _data.WriteSchema("a.json", "{}");
        string component = new('d', 250);
        ExternalCommand.Run("python3", "-c", MakeDeepTree, _data.SchemaDirectory, component, "20");
        try
        {
            SnapshotException error = AssertFailsFast(() => _data.CreateSnapshot(_manager));

            output.WriteLine(error.Message[..Math.Min(error.Message.Length, 300)]);
            Assert.Equal(36 /* ENAMETOOLONG */, error.Errno);
            Assert.StartsWith(_data.SchemaDirectory, error.Path, StringComparison.Ordinal);
            Assert.Equal(SnapshotStep.Prepare, error.Step);
            AssertNothingLeft();
        }
        finally
        {
            // The library deletes one level at a time, relative to open directories, so even this
            // tree goes (.NET's Directory.Delete, working on whole paths, could not).
            DirectoryTree.Delete(Path.Join(_data.SchemaDirectory, component));
        }

        Assert.Equal(["a.json"], Directory.EnumerateFileSystemEntries(_data.SchemaDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public void Restore_over_a_schema_tree_with_a_name_that_is_not_UTF8_removes_the_old_data()
    {
        // The snapshot is fine; the data directory's current schema tree has a file whose name is
        // not UTF-8 (a snapshot refuses such a tree, but the database may have one). After the
        // swap the old tree is deleted: that must work on raw names, or the leftover stays and
        // blocks every later clean-up and restore of this data directory.
        _data.WriteStorage(4096);
        _data.WriteSchema("a.json", "{}");
        SnapshotId id = _data.CreateSnapshot(_manager);
        byte[] badName = [.. Encoding.UTF8.GetBytes(_data.SchemaDirectory + "/bad-"), 0xff, 0xfe, (byte)'.', (byte)'j', 0];
        ExternalCommand.Run("python3", "-c", "import sys; open(bytes.fromhex(sys.argv[1]), 'wb').close()", Convert.ToHexString(badName.AsSpan(0, badName.Length - 1)));

        RestoreResult result = _manager.Restore(_data.SnapshotDirectory(id), _data.Root);

        Assert.Null(result.CleanupFailure);
        string parent = Path.GetDirectoryName(_data.Root)!;
        Assert.Empty(Directory.EnumerateFileSystemEntries(parent, "." + Path.GetFileName(_data.Root) + ".restore-*"));
        Assert.Empty(_manager.RemoveLeftovers(_data.Root));
        Assert.Equal(["a.json"], Directory.EnumerateFileSystemEntries(_data.SchemaDirectory).Select(Path.GetFileName));
    }

    [PrivilegedFact]
    public void Sparse_storage_file_with_a_1_GiB_hole_is_copied_byte_identical_and_verifies()
    {
        using var tmpfs = new TmpfsMount("1300m");
        using var data = new TestDataDirectory(tmpfs.MountPoint);
        using (FileStream storage = File.Create(data.StoragePath))
        {
            // A few bytes at the start, a 1 GiB hole, a few bytes at the end.
            storage.Write("head"u8);
            storage.Position = (1L << 30) + 4;
            storage.Write("tail"u8);
        }

        data.WriteSchema("a.json", "{}");
        FileStatus source = NativeFile.TryStatus(data.StoragePath)!.Value;
        Assert.True(source.AllocatedBytes < 1 << 20, $"the source is not sparse ({source.AllocatedBytes} bytes allocated)");

        var clock = Stopwatch.StartNew();
        SnapshotId id = data.CreateSnapshot(_manager);
        TimeSpan took = clock.Elapsed;

        string copy = Path.Join(data.SnapshotDirectory(id), "storage.dat");
        FileStatus copied = NativeFile.TryStatus(copy)!.Value;
        output.WriteLine($"sparse 1 GiB + 8 bytes: source allocates {source.AllocatedBytes} bytes, the copy {copied.AllocatedBytes}; snapshot took {took.TotalMilliseconds:F0} ms");
        Assert.Equal(source.Size, copied.Size);
        Assert.Equal(Crc32Of(data.StoragePath), Crc32Of(copy));
        Assert.True(_manager.Verify(data.SnapshotDirectory(id)).IsValid);

        // The copy is not sparse: the storage copy is preallocated (fallocate) so that ENOSPC comes
        // before any byte is written, and every zero of the hole is written. Pinned so that a change
        // here is a decision, not an accident: a snapshot of a sparse file costs its full size.
        Assert.True(copied.AllocatedBytes >= source.Size, $"the copy allocates {copied.AllocatedBytes} of {source.Size} bytes");
    }

    [PrivilegedFact]
    public void Unreadable_schema_file_fails_fast_naming_it_for_an_unprivileged_caller()
    {
        _data.WriteStorage(4096);
        string secret = _data.WriteSchema("private/secret.json", "{\"secret\":true}");
        _data.WriteSchema("public.json", "{}");
        GiveDataDirectoryTo(UnprivilegedFileAccess.Nobody);
        File.SetUnixFileMode(secret, (UnixFileMode)0);

        SnapshotException error;
        var steps = new List<SnapshotStep>();
        using (new UnprivilegedFileAccess())
        {
            // The drop is real: the library's own open of this file is refused.
            Assert.Throws<NativeIOException>(() => NativeFile.OpenRegularForRead(secret, out _).Dispose());
            error = AssertFailsFast(() => _data.CreateSnapshot(_manager, new SnapshotOptions { BeforeStep = steps.Add }));
            AssertNothingLeft();
        }

        output.WriteLine(error.Message);
        Assert.Equal(13 /* EACCES */, error.Errno);
        Assert.Equal(secret, error.Path);
        Assert.Contains(secret, error.Message, StringComparison.Ordinal);

        // Refused while preparing, not after copying the storage file (minutes for a large one,
        // with writes paused): regression test for the scan that did not check readability.
        Assert.Equal(SnapshotStep.Prepare, error.Step);
        Assert.DoesNotContain(SnapshotStep.CopyStorage, steps);
    }

    [PrivilegedFact]
    public void Unsearchable_schema_directory_fails_fast_naming_it_for_an_unprivileged_caller()
    {
        _data.WriteStorage(4096);
        string hidden = Path.Join(_data.SchemaDirectory, "hidden");
        _data.WriteSchema("hidden/inside.json", "{}");
        _data.WriteSchema("public.json", "{}");
        GiveDataDirectoryTo(UnprivilegedFileAccess.Nobody);
        File.SetUnixFileMode(hidden, (UnixFileMode)0b110_000_000); // rw- but no x: listed by nobody, searched by nobody

        SnapshotException error;
        using (new UnprivilegedFileAccess())
        {
            error = AssertFailsFast(() => _data.CreateSnapshot(_manager));
            AssertNothingLeft();
        }

        output.WriteLine(error.Message);
        Assert.Equal(13 /* EACCES */, error.Errno);
        Assert.Contains(hidden, error.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void As_root_a_mode_000_file_is_no_obstacle_and_is_copied()
    {
        // The honest counterpart of the two tests above: root (CAP_DAC_OVERRIDE) reads and searches
        // regardless of mode, so for the database running as root these are not faults at all.
        _data.WriteStorage(4096);
        string secret = _data.WriteSchema("private/secret.json", "{\"secret\":true}");
        File.SetUnixFileMode(secret, (UnixFileMode)0);
        File.SetUnixFileMode(Path.GetDirectoryName(secret)!, (UnixFileMode)0);

        AssertCopiedAndVerifies(_data.CreateSnapshot(_manager));
    }

    [PrivilegedFact]
    public void Read_only_snapshots_file_system_fails_fast_naming_the_path_and_touches_no_source()
    {
        _data.WriteStorage(4096);
        _data.WriteSchema("a.json", "{}");
        Directory.CreateDirectory(_data.SnapshotsDirectory);
        IReadOnlyList<string> sourcesBefore = TestDataDirectory.TreeListing(_data.Root);
        using var readOnly = new TmpfsMount("1m", mountPoint: _data.SnapshotsDirectory, options: "ro");

        SnapshotException error = AssertFailsFast(() => _data.CreateSnapshot(_manager));

        output.WriteLine(error.Message);
        Assert.Equal(30 /* EROFS */, error.Errno);
        Assert.StartsWith(_data.SnapshotsDirectory, error.Path, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_data.SnapshotsDirectory));
        readOnly.Dispose();
        Assert.Equal(sourcesBefore, TestDataDirectory.TreeListing(_data.Root));
    }

    [PrivilegedFact]
    public void Read_only_data_directory_file_system_fails_fast_naming_the_path()
    {
        // The whole data directory on a file system remounted read-only (no snapshots/ yet).
        using var tmpfs = new TmpfsMount("8m");
        using var data = new TestDataDirectory(tmpfs.MountPoint);
        data.WriteStorage(4096);
        data.WriteSchema("a.json", "{}");
        ExternalCommand.Run("mount", "-o", "remount,ro", tmpfs.MountPoint);

        SnapshotException error = AssertFailsFast(() => data.CreateSnapshot(_manager));

        output.WriteLine(error.Message);
        Assert.Equal(30 /* EROFS */, error.Errno);
        Assert.Equal(data.SnapshotsDirectory, error.Path);
        ExternalCommand.Run("mount", "-o", "remount,rw", tmpfs.MountPoint);
    }

    [Fact]
    public void Directory_symlink_out_of_the_tree_fails_fast_naming_it_and_is_never_entered()
    {
        // The link's target holds a FIFO: entering it and opening what is there would block.
        using var outside = new TestDataDirectory();
        string fifo = Path.Join(outside.Root, "trap.json");
        ExternalCommand.Run("mkfifo", fifo);
        _data.WriteStorage(4096);
        _data.WriteSchema("a.json", "{}");
        string link = Path.Join(_data.SchemaDirectory, "elsewhere");
        Directory.CreateSymbolicLink(link, outside.Root);

        SnapshotException error = AssertFailsFast(() => _data.CreateSnapshot(_manager));

        Assert.Equal(link, error.Path);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    /// <summary>mkdirat/openat one level at a time (a shell's cd keeps a logical path, which hits PATH_MAX).</summary>
    private const string MakeDeepTree = """
        import os, sys
        fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
        for _ in range(int(sys.argv[3])):
            os.mkdir(sys.argv[2], dir_fd=fd)
            child = os.open(sys.argv[2], os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        f = os.open("deep.json", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, b"{}")
        """;

    private const int PathMax = 4096;
    private const int StagingExtraBytes = 27; // "/snapshots/.staging-YYYYMMDDTHHMMSSZ/schemas/" minus "/metadata/schemas/"

    /// <summary>A schema file path, under this data directory, of exactly <paramref name="sourcePathBytes"/> bytes (directories of 200-byte names).</summary>
    private string LongSchemaPath(int sourcePathBytes)
    {
        var path = new StringBuilder(_data.SchemaDirectory);
        int directory = 0;
        while (sourcePathBytes - path.Length > 255 + 1)
        {
            int length = Math.Min(200, sourcePathBytes - path.Length - 1 - 1 - 40);
            path.Append('/').Append((char)('a' + (directory++ % 26)), length);
        }

        int last = sourcePathBytes - path.Length - 1;
        path.Append('/').Append('f', last - 5).Append(".json");
        Assert.Equal(sourcePathBytes, Encoding.UTF8.GetByteCount(path.ToString()));
        return path.ToString();
    }

    private void GiveDataDirectoryTo(uint uid)
    {
        string id = uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ExternalCommand.Run("chown", "-R", id + ":" + id, _data.Root);
    }

    private static SnapshotException AssertFailsFast(Action create)
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<SnapshotException>(create);
        clock.Stop();
        Assert.True(clock.Elapsed < FailFast, $"failing took {clock.Elapsed}");
        return error;
    }

    private void AssertNothingLeft()
        => Assert.Empty(Directory.Exists(_data.SnapshotsDirectory) ? Directory.EnumerateFileSystemEntries(_data.SnapshotsDirectory) : []);

    private void AssertCopiedAndVerifies(SnapshotId id) => AssertCopiedAndVerifies(_manager, _data, id);

    private static void AssertCopiedAndVerifies(SnapshotManager manager, TestDataDirectory data, SnapshotId id)
    {
        string snapshot = data.SnapshotDirectory(id);
        VerificationReport report = manager.Verify(snapshot);
        Assert.True(report.IsValid, string.Join("; ", report.Problems.Select(static p => p.Message)));
        Assert.Equal(Crc32Of(data.StoragePath), Crc32Of(Path.Join(snapshot, "storage.dat")));
        Assert.Equal(TreeListing.Of(data.SchemaDirectory, modes: false), TreeListing.Of(Path.Join(snapshot, "schemas"), modes: false));
    }

    private static uint Crc32Of(string path)
    {
        var crc = new Crc32();
        using FileStream stream = File.OpenRead(path);
        crc.Append(stream);
        return crc.GetCurrentHashAsUInt32();
    }
}

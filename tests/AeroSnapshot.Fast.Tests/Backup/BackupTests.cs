using System.Diagnostics;
using System.Formats.Tar;
using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Tests.Support;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>backup: the newest valid snapshot and the WAL in one deterministic, durable tar; nothing partial on failure.</summary>
public sealed class BackupTests
{
    [Fact]
    public void The_archive_holds_the_snapshot_the_wal_and_the_manifest_in_the_fixed_order()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out SnapshotId id, out byte[] wal);
        string output = BackupFixture.Scratch(data, "backup.tar");
        try
        {
            BackupResult result = BackupFixture.Backup(manager, data.Root, output);

            Assert.Equal(id, result.Manifest.SnapshotId);
            Assert.True(result.Manifest.WalPresent);
            Assert.Equal(new FileInfo(output).Length, result.ArchiveBytes);
            List<(string Name, TarEntryType Type, byte[] Data, TarEntry Entry)> entries = ReadAll(output);
            Assert.Equal(
                [
                    "snapshot/", "snapshot/manifest.json", "snapshot/storage.dat", "snapshot/schemas/",
                    "snapshot/schemas/a.json", "snapshot/schemas/b/", "snapshot/schemas/b/deep/", "snapshot/schemas/b/deep/orders.json",
                    "snapshot/schemas/empty/", "snapshot/schemas/users.json", "wal/", "wal/wal.log", "backup_manifest.json",
                ],
                entries.Select(static e => e.Name));
            string snapshot = data.SnapshotDirectory(id);
            Assert.Equal(File.ReadAllBytes(Path.Join(snapshot, "manifest.json")), entries[1].Data);
            Assert.Equal(File.ReadAllBytes(Path.Join(snapshot, "storage.dat")), entries[2].Data);
            Assert.Equal(File.ReadAllBytes(Path.Join(snapshot, "schemas", "b", "deep", "orders.json")), entries[7].Data);
            Assert.Equal(wal, entries[11].Data);
            Assert.Equal(
                "{\n  \"backup_id\": \"20260301T090000Z\",\n  \"created_at\": \"2026-03-01T09:00:00Z\",\n  \"snapshot_id\": \"20260301T080000Z\",\n  \"wal_present\": true,\n  \"format_version\": 1\n}",
                System.Text.Encoding.UTF8.GetString(entries[12].Data));
            foreach ((_, TarEntryType type, _, TarEntry entry) in entries)
            {
                Assert.Equal(DateTimeOffset.UnixEpoch, entry.ModificationTime);
                Assert.Equal(0, entry.Uid);
                Assert.Equal(0, entry.Gid);
                Assert.Equal(string.Empty, ((PosixTarEntry)entry).UserName);
                Assert.Equal(string.Empty, ((PosixTarEntry)entry).GroupName);
                Assert.Equal(type == TarEntryType.Directory ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100, entry.Mode);
            }

            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(output)!));
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    [Fact]
    public void Two_archives_of_the_same_snapshot_and_wal_differ_only_in_the_backup_manifests_own_fields()
    {
        Gen.Select(Gen.Int[0, 300_000], Gen.Int[1, 86_400 * 400], Gen.Int[1, 86_400 * 400], Gen.Int[0, 4]).Sample((size, first, second, longNames) =>
        {
            using var manager = new SnapshotManager();
            using TestDataDirectory data = BackupFixture.Build(out _, out _, size, manager);
            for (int i = 0; i < longNames; i++)
            {
                // Past ustar's 100-byte name field: these go through GNU long-name entries.
                data.WriteSchema(string.Concat(Enumerable.Repeat($"dir{i}/", 20)) + new string('n', 90) + ".json", $"{{\"{i}\":0}}");
            }

            var executionLock = new GlobalExecutionLock();
            using (executionLock.Acquire())
            {
                manager.CreateSnapshot(data.Root, data.StoragePath, data.SchemaDirectory, WalDurability.None, executionLock, new SnapshotOptions { TimeProvider = new FixedTimeProvider(BackupFixture.SnapshotClock.AddMinutes(1)) });
            }

            string a = BackupFixture.Scratch(data, "a.tar");
            string b = BackupFixture.Scratch(data, "b.tar");
            try
            {
                BackupFixture.Backup(manager, data.Root, a, BackupFixture.SnapshotClock.AddSeconds(first));
                BackupFixture.Backup(manager, data.Root, b, BackupFixture.SnapshotClock.AddSeconds(second));
                byte[] bytesA = File.ReadAllBytes(a);
                byte[] bytesB = File.ReadAllBytes(b);
                Assert.Equal(bytesA.Length, bytesB.Length);

                // The manifest is the last entry: its data starts 512 bytes (its header) after the
                // archive's end minus the manifest, the padding and the two zero end blocks.
                (long start, int length) = ManifestDataRange(a);
                for (int i = 0; i < bytesA.Length; i++)
                {
                    if (bytesA[i] != bytesB[i])
                    {
                        Assert.InRange(i, start, start + length - 1);
                    }
                }

                Assert.Equal(first == second, bytesA.AsSpan().SequenceEqual(bytesB));
            }
            finally
            {
                BackupFixture.DeleteScratch(data);
            }
        }, iter: 12);
    }

    [Fact]
    public void An_existing_output_is_never_replaced()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out _, out _);
        string output = BackupFixture.Scratch(data, "backup.tar");
        try
        {
            File.WriteAllText(output, "precious");

            SnapshotException error = Assert.Throws<SnapshotException>(() => BackupFixture.Backup(manager, data.Root, output));

            Assert.Equal(Fast.IO.Errno.EEXIST, error.Errno);
            Assert.Equal("precious", File.ReadAllText(output));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(output)!));
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    [Fact]
    public void A_partial_archive_left_by_a_dead_backup_is_replaced_but_one_being_written_is_not()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out _, out _);
        string output = BackupFixture.Scratch(data, "backup.tar");
        string partial = Path.Join(Path.GetDirectoryName(output)!, ".backup.tar.partial");
        try
        {
            File.WriteAllText(partial, "left by a backup that was killed");
            using (FileStream running = File.Open(partial, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                // FileShare.None is an exclusive flock on Linux: a backup still writing looks like this.
                SnapshotException busy = Assert.Throws<SnapshotException>(() => BackupFixture.Backup(manager, data.Root, output));
                Assert.Contains("Another backup", busy.Message, StringComparison.Ordinal);
                Assert.True(File.Exists(partial));
            }

            BackupFixture.Backup(manager, data.Root, output);

            Assert.False(File.Exists(partial));
            manager.VerifyBackup(output);
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    [Fact]
    public void A_snapshot_that_rotted_is_never_packaged_and_the_previous_valid_one_is_backed_up()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out SnapshotId older, out _);
        SnapshotId newer = data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = new FixedTimeProvider(BackupFixture.SnapshotClock.AddMinutes(5)) });
        Rot(Path.Join(data.SnapshotDirectory(newer), "storage.dat"), 150_000);
        string output = BackupFixture.Scratch(data, "backup.tar");
        try
        {
            BackupResult result = BackupFixture.Backup(manager, data.Root, output);

            Assert.Equal(older, result.Manifest.SnapshotId);
            SkippedSnapshot skipped = Assert.Single(result.Skipped);
            Assert.Equal(newer, skipped.Id);
            Assert.Equal(SnapshotErrorCode.DataCorruption, skipped.Code);
            Assert.Equal(File.ReadAllBytes(Path.Join(data.SnapshotDirectory(older), "storage.dat")), ReadAll(output).Single(e => e.Name == "snapshot/storage.dat").Data);
            Assert.Equal(result.ArchiveBytes, new FileInfo(output).Length);
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    [Fact]
    public void With_no_valid_snapshot_the_backup_fails_and_leaves_no_partial_archive()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out SnapshotId id, out _);
        Rot(Path.Join(data.SnapshotDirectory(id), "schemas", "users.json"), 3);
        string output = BackupFixture.Scratch(data, "backup.tar");
        try
        {
            SnapshotException error = Assert.Throws<SnapshotException>(() => BackupFixture.Backup(manager, data.Root, output));

            Assert.Contains("no valid snapshot", error.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!));
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    [Fact]
    public void A_wal_with_a_bad_record_fails_the_backup_as_wal_corruption_and_leaves_nothing()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out _, out byte[] wal);
        wal[^2] ^= 1;
        File.WriteAllBytes(Path.Join(data.Root, "wal", "wal.log"), wal);
        string output = BackupFixture.Scratch(data, "backup.tar");
        try
        {
            SnapshotException error = Assert.Throws<SnapshotException>(() => BackupFixture.Backup(manager, data.Root, output));

            Assert.Equal(SnapshotErrorCode.WalCorruption, error.Code);
            Assert.Equal(SnapshotSeverity.Fatal, error.Severity);
            Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!));
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    [Fact]
    public void Without_a_wal_file_the_archive_says_so_and_still_has_wal_directory()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out _, out _);
        File.Delete(Path.Join(data.Root, "wal", "wal.log"));
        string output = BackupFixture.Scratch(data, "backup.tar");
        try
        {
            BackupResult result = BackupFixture.Backup(manager, data.Root, output);

            Assert.False(result.Manifest.WalPresent);
            List<string> names = ReadAll(output).Select(static e => e.Name).ToList();
            Assert.Contains("wal/", names);
            Assert.DoesNotContain("wal/wal.log", names);
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    [Fact]
    public void Gnu_tar_lists_and_extracts_the_archive_to_the_same_bytes()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory data = BackupFixture.Build(out SnapshotId id, out byte[] wal);
        data.WriteSchema(string.Concat(Enumerable.Repeat("long/", 30)) + "x.json", "{}");
        id = data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = new FixedTimeProvider(BackupFixture.SnapshotClock.AddMinutes(2)) });
        string output = BackupFixture.Scratch(data, "backup.tar");
        string extract = BackupFixture.Scratch(data, "x");
        try
        {
            BackupFixture.Backup(manager, data.Root, output);
            Directory.CreateDirectory(extract);
            using (Process tar = ExternalCommand.Start(new ProcessStartInfo("tar", ["-xf", output, "-C", extract])))
            {
                tar.WaitForExit();
                Assert.Equal(0, tar.ExitCode);
            }

            Assert.Equal(File.ReadAllBytes(Path.Join(data.SnapshotDirectory(id), "storage.dat")), File.ReadAllBytes(Path.Join(extract, "snapshot", "storage.dat")));
            Assert.Equal("{}", File.ReadAllText(Path.Join(extract, "snapshot", "schemas", string.Concat(Enumerable.Repeat("long/", 30)) + "x.json")));
            Assert.Equal(wal, File.ReadAllBytes(Path.Join(extract, "wal", "wal.log")));
        }
        finally
        {
            BackupFixture.DeleteScratch(data);
        }
    }

    [Fact]
    public void Packing_a_large_snapshot_allocates_no_more_than_packing_a_small_one()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory small = BackupFixture.Build(out _, out _, 1 << 20, manager);
        using TestDataDirectory large = BackupFixture.Build(out _, out _, 64 << 20, manager);
        try
        {
            // Warm up: JIT, pools, the tar writer's statics.
            BackupFixture.Backup(manager, small.Root, BackupFixture.Scratch(small, "warm.tar"));
            long smallBytes = Measure(manager, small, "small.tar");
            long largeBytes = Measure(manager, large, "large.tar");

            // 63 MiB more data must not cost managed memory: allow a little noise, nothing per byte.
            Assert.True(largeBytes - smallBytes < 16 * 1024, $"small {smallBytes} B, large {largeBytes} B allocated");
        }
        finally
        {
            BackupFixture.DeleteScratch(small);
            BackupFixture.DeleteScratch(large);
        }
    }

    [Fact]
    public void TarWriter_copies_entry_data_through_the_pooled_checksumming_loop()
    {
        string path = Path.GetTempFileName();
        try
        {
            byte[] content = new byte[300_000];
            new Random(3).NextBytes(content);
            File.WriteAllBytes(path, content);
            using var pool = new Fast.Copying.AlignedBufferPool(64 * 1024);
            using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(path);
            var crc = new AeroSnapshot.Fast.Hashing.StreamingCrc32();
            using var stream = new ChecksummingFileStream(handle, path, content.Length, pool, crc, Fast.Copying.ProgressReporter.None, CancellationToken.None);
            using var archive = new MemoryStream();
            using (var writer = new TarWriter(archive, TarEntryFormat.Gnu, leaveOpen: true))
            {
                GnuTarEntry entry = BackupLayout.Entry(TarEntryType.RegularFile, "f");
                entry.DataStream = stream;
                writer.WriteEntry(entry);
            }

            Assert.True(stream.CopiedThroughPool);
            Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(content), stream.Checksum.Value);
            Assert.Equal(content, archive.ToArray().AsSpan(512, content.Length).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static long Measure(SnapshotManager manager, TestDataDirectory data, string name)
    {
        string output = BackupFixture.Scratch(data, name);
        var options = new SnapshotOptions { TimeProvider = new FixedTimeProvider(BackupFixture.SnapshotClock.AddHours(1)) };
        var executionLock = new GlobalExecutionLock();
        using (executionLock.Acquire())
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            manager.Backup(data.Root, output, null, executionLock, options);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }

    internal static void Rot(string path, long offset)
    {
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using FileStream stream = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int b = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(b ^ 0x20));
    }

    internal static List<(string Name, TarEntryType Type, byte[] Data, TarEntry Entry)> ReadAll(string archive)
    {
        var list = new List<(string, TarEntryType, byte[], TarEntry)>();
        using FileStream stream = File.OpenRead(archive);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            list.Add((entry.Name, entry.EntryType, data.ToArray(), entry));
        }

        return list;
    }

    /// <summary>Where backup_manifest.json's data lies in the archive.</summary>
    private static (long Start, int Length) ManifestDataRange(string archive)
    {
        long size = new FileInfo(archive).Length;
        int length = ReadAll(archive)[^1].Data.Length;
        int padded = (length + 511) / 512 * 512;

        // .NET's TarWriter ends the archive with exactly two zero blocks (no padding to a record size).
        long start = size - 1024 - padded;
        return (start, length);
    }
}

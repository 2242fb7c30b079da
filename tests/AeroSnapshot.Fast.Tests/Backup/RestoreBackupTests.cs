using System.Formats.Tar;
using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Wal;
using Item = AeroSnapshot.Fast.Tests.Backup.ArchiveEditor.Item;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>verify-backup and restore-backup: everything validated before the data directory changes; hostile archives refused with it untouched.</summary>
public sealed class RestoreBackupTests
{
    [Fact]
    public void Restore_replaces_the_data_directory_with_the_backups_storage_schemas_and_wal()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory source = BackupFixture.Build(out SnapshotId id, out byte[] wal);
        using var target = new TestDataDirectory();
        target.WriteStorage(10, seed: 9);
        target.WriteSchema("old.json", "old");
        File.WriteAllText(Path.Join(target.Root, "stray"), "gone after restore");
        string archive = BackupFixture.Scratch(source, "b.tar");
        try
        {
            BackupFixture.Backup(manager, source.Root, archive);

            BackupRestoreResult result = manager.RestoreBackup(archive, target.Root);

            Assert.Equal(id, result.Manifest.SnapshotId);
            string snapshot = source.SnapshotDirectory(id);
            Assert.Equal(File.ReadAllBytes(Path.Join(snapshot, "storage.dat")), File.ReadAllBytes(target.StoragePath));
            Assert.Equal(
                ["metadata/", "metadata/schemas/", "metadata/schemas/a.json", "metadata/schemas/b/", "metadata/schemas/b/deep/", "metadata/schemas/b/deep/orders.json", "metadata/schemas/empty/", "metadata/schemas/users.json", "storage.dat", "wal/", "wal/wal.log"],
                TestDataDirectory.TreeListing(target.Root).Select(static e => e.Split(' ')[0]));
            Assert.Equal(wal, File.ReadAllBytes(Path.Join(target.Root, "wal", "wal.log")));
            Assert.False(Directory.Exists(target.Root + ".restore-backup-tmp"));
        }
        finally
        {
            BackupFixture.DeleteScratch(source);
        }
    }

    [Fact]
    public void The_same_archive_always_yields_the_same_data_directory()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory source = BackupFixture.Build(out _, out _);
        using var first = new TestDataDirectory();
        using var second = new TestDataDirectory();
        second.WriteSchema("x/y.json", "different before");
        string archive = BackupFixture.Scratch(source, "b.tar");
        try
        {
            BackupFixture.Backup(manager, source.Root, archive);
            manager.RestoreBackup(archive, first.Root);
            manager.RestoreBackup(archive, second.Root);

            // The listing carries every file's size and CRC-32, so equal listings are equal contents.
            Assert.Equal(TestDataDirectory.TreeListing(first.Root), TestDataDirectory.TreeListing(second.Root));
        }
        finally
        {
            BackupFixture.DeleteScratch(source);
        }
    }

    [Fact]
    public void Verify_backup_checks_everything_and_writes_nothing()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory source = BackupFixture.Build(out SnapshotId id, out byte[] wal);
        string archive = BackupFixture.Scratch(source, "b.tar");
        try
        {
            BackupFixture.Backup(manager, source.Root, archive);
            IReadOnlyList<string> before = TestDataDirectory.TreeListing(Path.GetDirectoryName(archive)!);

            BackupVerification result = manager.VerifyBackup(archive);

            Assert.Equal(id, result.SnapshotManifest.SnapshotId);
            Assert.Equal(4, result.Wal!.Value.Records);
            Assert.Equal(wal.Length, result.Wal.Value.Bytes);
            Assert.Equal(4, result.SnapshotFiles);
            Assert.Equal(before, TestDataDirectory.TreeListing(Path.GetDirectoryName(archive)!));
        }
        finally
        {
            BackupFixture.DeleteScratch(source);
        }
    }

    public static TheoryData<string> HostileCases() =>
    [
        "absolute path", "dot-dot", "symlink", "hard link", "character device", "block device", "fifo", "duplicate name",
        "truncated in storage", "size past end", "pax path leading outside", "pax global header", "missing snapshot", "missing wal directory",
        "missing backup manifest", "entry after manifest", "unlisted schema file", "missing schema file", "flipped storage bit",
        "flipped wal bit", "manifest names another snapshot", "wal_present lies", "invalid snapshot manifest", "dot segment", "empty archive",
        "damaged header checksum", "garbage after the end marker", "entry after the end marker", "gnu sparse file", "pax sparse file",
        "size beyond the archive", "negative size", "v7 header", "file under a file", "file under a file, the file last", "name too long",
        "path too long", "schema directory without its entry", "storage.dat as a directory", "file named with a trailing slash",
        "backup created before its snapshot", "snapshot manifest created_at a day late",
    ];

    [Theory]
    [MemberData(nameof(HostileCases))]
    public void A_hostile_archive_is_refused_and_the_data_directory_is_untouched(string hostility)
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory source = BackupFixture.Build(out SnapshotId id, out _);
        using var target = new TestDataDirectory();
        target.WriteStorage(1000, seed: 5);
        target.WriteSchema("keep.json", "kept");
        string archive = BackupFixture.Scratch(source, "b.tar");
        string hostile = BackupFixture.Scratch(source, "hostile.tar");
        string outside = Path.Join(Path.GetDirectoryName(target.Root)!, "evil.json");
        try
        {
            BackupFixture.Backup(manager, source.Root, archive);
            List<Item> items = ArchiveEditor.Read(archive);
            string expectedCode = Make(hostility, items, archive, hostile);
            IReadOnlyList<string> before = TestDataDirectory.TreeListing(target.Root);
            byte[] storageBefore = File.ReadAllBytes(target.StoragePath);

            SnapshotException verify = Assert.Throws<SnapshotException>(() => manager.VerifyBackup(hostile));
            SnapshotException restore = Assert.Throws<SnapshotException>(() => manager.RestoreBackup(hostile, target.Root));

            Assert.Equal(expectedCode, verify.Code);
            Assert.Equal(expectedCode, restore.Code);
            Assert.Equal(SnapshotSeverity.Fatal, restore.Severity);
            Assert.Equal(before, TestDataDirectory.TreeListing(target.Root));
            Assert.Equal(storageBefore, File.ReadAllBytes(target.StoragePath));
            Assert.False(Directory.Exists(target.Root + ".restore-backup-tmp"));
            Assert.False(File.Exists(outside));
            Assert.False(File.Exists("/tmp/evil.json"));
        }
        finally
        {
            BackupFixture.DeleteScratch(source);
            File.Delete(outside);
        }
    }

    [Fact]
    public void Nested_schema_files_a_top_level_manifest_does_not_list_are_restored_and_reported_unverified()
    {
        // AeroDB's shape: its manifest lists only the files directly in schemas/, the archive holds the tree.
        using var manager = new SnapshotManager();
        using var source = new TestDataDirectory();
        source.WriteStorage(5000);
        source.WriteSchema("users.json", "{}");
        Directory.CreateDirectory(Path.Join(source.Root, "wal"));
        source.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = new FixedTimeProvider(BackupFixture.SnapshotClock) });
        using var target = new TestDataDirectory();
        string archive = BackupFixture.Scratch(source, "b.tar");
        string nested = BackupFixture.Scratch(source, "nested.tar");
        try
        {
            BackupFixture.Backup(manager, source.Root, archive);
            List<Item> items = ArchiveEditor.Read(archive);
            int at = items.FindIndex(static i => i.Name == "snapshot/schemas/users.json");
            items.InsertRange(at, [
                new Item("snapshot/schemas/orders/", TarEntryType.Directory, []),
                new Item("snapshot/schemas/orders/v2/", TarEntryType.Directory, []),
                new Item("snapshot/schemas/orders/v2/orders.json", TarEntryType.RegularFile, "{\"v\":2}"u8.ToArray()),
            ]);
            ArchiveEditor.Write(nested, items);

            BackupVerification verified = manager.VerifyBackup(nested);
            BackupRestoreResult restored = manager.RestoreBackup(nested, target.Root);
            SnapshotException strict = Assert.Throws<SnapshotException>(() => manager.VerifyBackup(nested, new SnapshotOptions { Strict = true }));

            Assert.Equal(["snapshot/schemas/orders/v2/orders.json"], verified.Unverified);
            Assert.Equal(verified.Unverified, restored.Unverified);
            Assert.Equal(2, restored.SnapshotFiles);
            Assert.Equal("{\"v\":2}", File.ReadAllText(Path.Join(target.SchemaDirectory, "orders", "v2", "orders.json")));
            Assert.Equal(SnapshotErrorCode.DataCorruption, strict.Code);
        }
        finally
        {
            BackupFixture.DeleteScratch(source);
        }
    }

    [Fact]
    public void A_manifest_that_lists_nested_schema_files_claims_the_whole_tree()
    {
        // This library's manifests list every file; an unlisted one, nested or not, is corruption.
        using var manager = new SnapshotManager();
        using TestDataDirectory source = BackupFixture.Build(out _, out _);
        string archive = BackupFixture.Scratch(source, "b.tar");
        string hostile = BackupFixture.Scratch(source, "hostile.tar");
        try
        {
            BackupFixture.Backup(manager, source.Root, archive);
            List<Item> items = ArchiveEditor.Read(archive);
            items.Insert(items.FindIndex(static i => i.Name == "snapshot/schemas/b/deep/orders.json"), new Item("snapshot/schemas/b/deep/extra.json", TarEntryType.RegularFile, [1]));
            ArchiveEditor.Write(hostile, items);

            SnapshotException error = Assert.Throws<SnapshotException>(() => manager.VerifyBackup(hostile));

            Assert.Equal(SnapshotErrorCode.DataCorruption, error.Code);
            Assert.Contains("snapshot/schemas/b/deep/extra.json", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            BackupFixture.DeleteScratch(source);
        }
    }

    [Fact]
    public void Restore_is_refused_while_the_data_directorys_lock_is_held()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory source = BackupFixture.Build(out _, out _);
        using var target = new TestDataDirectory();
        target.WriteStorage(100);
        string archive = BackupFixture.Scratch(source, "b.tar");
        try
        {
            BackupFixture.Backup(manager, source.Root, archive);
            using (DataDirectoryLock held = DataDirectoryLock.Acquire(target.Root))
            {
                SnapshotException error = Assert.Throws<SnapshotException>(() => manager.RestoreBackup(archive, target.Root));
                Assert.Equal(SnapshotErrorCode.Failed, error.Code);
                Assert.Contains("in use", error.Message, StringComparison.Ordinal);
            }

            Assert.Equal(100, new FileInfo(target.StoragePath).Length);
        }
        finally
        {
            BackupFixture.DeleteScratch(source);
        }
    }

    [Fact]
    public void A_temporary_directory_that_is_a_symbolic_link_is_refused_and_never_followed()
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory source = BackupFixture.Build(out _, out _);
        using var target = new TestDataDirectory();
        using var elsewhere = new TestDataDirectory();
        target.WriteStorage(100);
        string archive = BackupFixture.Scratch(source, "b.tar");
        try
        {
            BackupFixture.Backup(manager, source.Root, archive);
            Directory.CreateSymbolicLink(target.Root + ".restore-backup-tmp", elsewhere.Root);
            try
            {
                Assert.Throws<SnapshotException>(() => manager.RestoreBackup(archive, target.Root));
                Assert.Empty(Directory.GetFileSystemEntries(elsewhere.Root));
                Assert.Equal(100, new FileInfo(target.StoragePath).Length);
            }
            finally
            {
                File.Delete(target.Root + ".restore-backup-tmp");
            }
        }
        finally
        {
            BackupFixture.DeleteScratch(source);
        }
    }

    public static TheoryData<SnapshotStep> RestoreSteps() =>
    [
        SnapshotStep.Prepare, SnapshotStep.RestoreRecover, SnapshotStep.RestoreBackupUnpack, SnapshotStep.RestoreBackupSync,
        SnapshotStep.RestoreBackupSwap, SnapshotStep.RestoreBackupRemoveOld,
    ];

    [Theory]
    [MemberData(nameof(RestoreSteps))]
    public void A_crash_at_any_step_leaves_the_old_or_the_new_data_directory_and_clean_finishes_or_undoes(SnapshotStep crashAt)
    {
        using var manager = new SnapshotManager();
        using TestDataDirectory source = BackupFixture.Build(out SnapshotId id, out _);
        using var target = new TestDataDirectory();
        target.WriteStorage(1000, seed: 5);
        target.WriteSchema("keep.json", "kept");
        string archive = BackupFixture.Scratch(source, "b.tar");
        try
        {
            BackupFixture.Backup(manager, source.Root, archive);
            IReadOnlyList<string> oldTree = TestDataDirectory.TreeListing(target.Root);
            var options = new SnapshotOptions { BeforeStep = step => { if (step == crashAt) { throw new SimulatedCrashException(step.ToString()); } } };

            Assert.Throws<SimulatedCrashException>(() => manager.RestoreBackup(archive, target.Root, options));
            bool swapped = crashAt == SnapshotStep.RestoreBackupRemoveOld;
            AssertComplete(target, source, id, swapped, oldTree);

            IReadOnlyList<string> handled = manager.RemoveLeftovers(target.Root);

            AssertComplete(target, source, id, swapped, oldTree);
            Assert.False(Directory.Exists(target.Root + ".restore-backup-tmp"));
            Assert.Equal(crashAt is SnapshotStep.Prepare or SnapshotStep.RestoreRecover or SnapshotStep.RestoreBackupUnpack ? 0 : 1, handled.Count(static h => h.Contains("restore from a backup", StringComparison.Ordinal)));
        }
        finally
        {
            BackupFixture.DeleteScratch(source);
        }
    }

    private static void AssertComplete(TestDataDirectory target, TestDataDirectory source, SnapshotId id, bool isNew, IReadOnlyList<string> oldTree)
    {
        if (isNew)
        {
            Assert.Equal(File.ReadAllBytes(Path.Join(source.SnapshotDirectory(id), "storage.dat")), File.ReadAllBytes(target.StoragePath));
        }
        else
        {
            Assert.Equal(oldTree, TestDataDirectory.TreeListing(target.Root).Where(static e => e != "LOCK"));
            Assert.Equal(1000, new FileInfo(target.StoragePath).Length);
        }
    }

    /// <summary>Makes <paramref name="hostile"/> from the good archive's entries; returns the code it must be refused with.</summary>
    private static string Make(string hostility, List<Item> items, string good, string hostile)
    {
        int Index(string name) => items.FindIndex(i => i.Name == name);
        int schema = Index("snapshot/schemas/users.json");
        string metadata = SnapshotErrorCode.MetadataCorruption;
        switch (hostility)
        {
            case "absolute path":
                items.Insert(schema, new Item("/tmp/evil.json", TarEntryType.RegularFile, [1]));
                break;
            case "dot-dot":
                items.Insert(schema, new Item("snapshot/schemas/../../../evil.json", TarEntryType.RegularFile, [1]));
                break;
            case "dot segment":
                items.Insert(schema, new Item("snapshot/schemas/./users.json", TarEntryType.RegularFile, [1]));
                break;
            case "symlink":
                items.Insert(schema, new Item("snapshot/schemas/link.json", TarEntryType.SymbolicLink, [], "/etc/passwd"));
                break;
            case "hard link":
                items.Insert(schema, new Item("snapshot/schemas/link.json", TarEntryType.HardLink, [], "snapshot/storage.dat"));
                break;
            case "character device":
                items.Insert(schema, new Item("snapshot/schemas/dev", TarEntryType.CharacterDevice, []));
                break;
            case "block device":
                items.Insert(schema, new Item("snapshot/schemas/dev", TarEntryType.BlockDevice, []));
                break;
            case "fifo":
                items.Insert(schema, new Item("snapshot/schemas/fifo", TarEntryType.Fifo, []));
                break;
            case "duplicate name":
                items.Insert(schema + 1, items[schema]);
                break;
            case "pax path leading outside":
            {
                // The header's own name is harmless; the PAX path record, which wins, is not.
                byte[] bytes = Bytes(items, hostile);
                File.WriteAllBytes(hostile, TarBlocks.Splice(bytes, TarBlocks.Find(bytes, "snapshot/schemas/users.json"), TarBlocks.Pax(("path", "snapshot/schemas/../../evil.json"))));
                return metadata;
            }

            case "pax sparse file":
                items[schema] = items[schema] with { Format = TarEntryFormat.Pax, Pax = new() { ["GNU.sparse.major"] = "1", ["GNU.sparse.minor"] = "0", ["GNU.sparse.name"] = "snapshot/schemas/users.json" } };
                break;
            case "file under a file":
                items.Insert(schema, new Item("snapshot/schemas/zz", TarEntryType.RegularFile, [1]));
                items.Insert(schema + 1, new Item("snapshot/schemas/zz/inner.json", TarEntryType.RegularFile, [2]));
                break;
            case "file under a file, the file last":
                items.Insert(schema, new Item("snapshot/schemas/zz/inner.json", TarEntryType.RegularFile, [2]));
                items.Add(new Item("snapshot/schemas/zz", TarEntryType.RegularFile, [1]));
                break;
            case "name too long":
                items.Insert(schema, new Item("snapshot/schemas/" + new string('n', 251) + ".json", TarEntryType.RegularFile, [1]));
                break;
            case "path too long":
                items.Insert(schema, new Item("snapshot/schemas/" + string.Concat(Enumerable.Repeat(new string('d', 200) + "/", 25)) + "x.json", TarEntryType.RegularFile, [1]));
                break;
            case "schema directory without its entry":
                items.RemoveAt(Index("snapshot/schemas/b/"));
                break;
            case "storage.dat as a directory":
                items[Index("snapshot/storage.dat")] = new Item("snapshot/storage.dat/", TarEntryType.Directory, []);
                break;
            case "file named with a trailing slash":
                items.Insert(schema, new Item("snapshot/schemas/x.json/", TarEntryType.RegularFile, [1]));
                break;
            case "backup created before its snapshot":
                // AeroDB's shape (backup_id = snapshot_id) with a created_at no writer can produce.
                items[^1] = items[^1] with { Data = System.Text.Encoding.UTF8.GetBytes("{\n  \"backup_id\": \"20260301T080000Z\",\n  \"created_at\": \"2026-03-01T07:59:59Z\",\n  \"snapshot_id\": \"20260301T080000Z\",\n  \"wal_present\": true,\n  \"format_version\": 1\n}") };
                break;
            case "snapshot manifest created_at a day late":
                items[1] = items[1] with { Data = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(items[1].Data).Replace("2026-03-01T08:00:00Z", "2026-03-02T08:00:00Z", StringComparison.Ordinal)) };
                break;
            case "damaged header checksum":
            {
                // One byte of storage.dat's mode field, a field the reader never uses: only the checksum can tell.
                byte[] bytes = Bytes(items, hostile);
                bytes[TarBlocks.Find(bytes, "snapshot/storage.dat") + 103] ^= 1;
                File.WriteAllBytes(hostile, bytes);
                return metadata;
            }

            case "garbage after the end marker":
            {
                byte[] bytes = Bytes(items, hostile);
                File.WriteAllBytes(hostile, [.. bytes, .. "garbage"u8]);
                return metadata;
            }

            case "entry after the end marker":
            {
                // A whole entry after the marker and its padding, as `tar --ignore-zeros` would list it.
                byte[] bytes = Bytes(items, hostile);
                File.WriteAllBytes(hostile, [.. bytes, .. TarBlocks.Entry("../evil.json", '0', [1, 2, 3]), .. new byte[2 * TarBlocks.Block]]);
                return metadata;
            }

            case "gnu sparse file":
            {
                byte[] bytes = Bytes(items, hostile);
                File.WriteAllBytes(hostile, TarBlocks.Splice(bytes, TarBlocks.Find(bytes, "snapshot/schemas/users.json"), TarBlocks.Header("snapshot/schemas/sparse.json", 'S', 0)));
                return metadata;
            }

            case "size beyond the archive":
            {
                // storage.dat claims 1 TiB in an archive of a few hundred KiB: refused before a byte
                // is written or reserved, whatever the free space.
                byte[] bytes = Bytes(items, hostile);
                Span<byte> header = bytes.AsSpan(TarBlocks.Find(bytes, "snapshot/storage.dat"), TarBlocks.Block);
                TarBlocks.SetBase256Size(header, 1L << 40);
                TarBlocks.SetChecksum(header);
                File.WriteAllBytes(hostile, bytes);
                return metadata;
            }

            case "negative size":
            {
                byte[] bytes = Bytes(items, hostile);
                Span<byte> header = bytes.AsSpan(TarBlocks.Find(bytes, "snapshot/schemas/users.json"), TarBlocks.Block);
                header.Slice(124, 12).Fill(0xFF);
                TarBlocks.SetChecksum(header);
                File.WriteAllBytes(hostile, bytes);
                return metadata;
            }

            case "v7 header":
            {
                byte[] bytes = Bytes(items, hostile);
                Span<byte> header = bytes.AsSpan(TarBlocks.Find(bytes, "snapshot/schemas/users.json"), TarBlocks.Block);
                header.Slice(257, 8).Clear();
                TarBlocks.SetChecksum(header);
                File.WriteAllBytes(hostile, bytes);
                return metadata;
            }

            case "pax global header":
                ArchiveEditor.Write(hostile, items);
                using (FileStream stream = File.Create(hostile))
                using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
                {
                    writer.WriteEntry(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["path"] = "x" }));
                    foreach (TarEntry e in BackupTests.ReadAll(good).Select(static e => e.Entry))
                    {
                        writer.WriteEntry(e);
                    }
                }

                return metadata;
            case "missing snapshot":
                items.RemoveAll(static i => i.Name.StartsWith("snapshot/", StringComparison.Ordinal));
                break;
            case "missing wal directory":
                items.RemoveAll(static i => i.Name.StartsWith("wal/", StringComparison.Ordinal));
                break;
            case "missing backup manifest":
                items.RemoveAt(items.Count - 1);
                break;
            case "entry after manifest":
                items.Add(new Item("extra", TarEntryType.RegularFile, [1]));
                break;
            case "unlisted schema file":
                items.Insert(schema, new Item("snapshot/schemas/unlisted.json", TarEntryType.RegularFile, [1]));
                return Write(items, hostile, SnapshotErrorCode.DataCorruption);
            case "missing schema file":
                items.RemoveAt(schema);
                return Write(items, hostile, SnapshotErrorCode.DataCorruption);
            case "flipped storage bit":
                items[Index("snapshot/storage.dat")].Data[12345] ^= 4;
                return Write(items, hostile, SnapshotErrorCode.DataCorruption);
            case "flipped wal bit":
                items[Index("wal/wal.log")].Data[40] ^= 4;
                return Write(items, hostile, SnapshotErrorCode.WalCorruption);
            case "manifest names another snapshot":
                items[^1] = items[^1] with { Data = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(items[^1].Data).Replace("\"snapshot_id\": \"20260301T080000Z\"", "\"snapshot_id\": \"20260301T080001Z\"", StringComparison.Ordinal)) };
                break;
            case "wal_present lies":
                items.RemoveAt(Index("wal/wal.log"));
                break;
            case "invalid snapshot manifest":
                items[1] = items[1] with { Data = "{\"snapshot_id\": 1}"u8.ToArray() };
                break;
            case "truncated in storage":
            {
                byte[] bytes = File.ReadAllBytes(good);
                File.WriteAllBytes(hostile, bytes[..(1024 + 512 + 512 + 70_000)]);
                return metadata;
            }

            case "size past end":
            {
                // Cut right after wal.log's header: its size runs past the end of the archive.
                ArchiveEditor.Write(hostile, items.Take(Index("wal/wal.log") + 1));
                byte[] bytes = File.ReadAllBytes(hostile);
                int walData = bytes.Length - 1024 - ((items[Index("wal/wal.log")].Data.Length + 511) / 512 * 512);
                File.WriteAllBytes(hostile, bytes[..(walData + 100)]);
                return metadata;
            }

            case "empty archive":
                File.WriteAllBytes(hostile, new byte[1024]);
                return metadata;
            default:
                throw new ArgumentException(hostility);
        }

        return Write(items, hostile, metadata);
    }

    private static byte[] Bytes(List<Item> items, string hostile)
    {
        ArchiveEditor.Write(hostile, items);
        return File.ReadAllBytes(hostile);
    }

    private static string Write(List<Item> items, string hostile, string code)
    {
        ArchiveEditor.Write(hostile, items);
        return code;
    }
}

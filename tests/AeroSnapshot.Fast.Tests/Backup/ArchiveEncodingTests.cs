using System.Formats.Tar;
using System.Text;
using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Tests.Support;
using CsCheck;
using Item = AeroSnapshot.Fast.Tests.Backup.ArchiveEditor.Item;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>
/// The archives AeroDB writes and those standard tools re-pack are read: any member order,
/// directories with or without their trailing <c>/</c>, ustar, GNU and PAX encodings of names and
/// sizes, whatever the times, modes and owners say, and AeroDB's backup manifest. Each variant must
/// verify and restore to exactly the data directory the original archive restores to.
/// </summary>
public sealed class ArchiveEncodingTests : IDisposable
{
    // Past ustar's 100-byte name field (a GNU long name, a PAX path, or a ustar prefix), under 255.
    private static readonly string LongSchema = "long/" + new string('p', 60) + "/" + new string('q', 70) + ".json";

    private readonly SnapshotManager _manager = new();
    private readonly TestDataDirectory _source;
    private readonly string _archive;
    private readonly IReadOnlyList<string> _expected;
    private readonly BackupRestoreResult _original;

    public ArchiveEncodingTests()
    {
        _source = BackupFixture.Build(out _, out _, storageBytes: 30_000, manager: _manager);
        _source.WriteSchema(LongSchema, "{\"long\":true}");
        _source.CreateSnapshot(_manager, new SnapshotOptions { TimeProvider = new FixedTimeProvider(BackupFixture.SnapshotClock.AddMinutes(1)) });

        _archive = BackupFixture.Scratch(_source, "b.tar");
        BackupFixture.Backup(_manager, _source.Root, _archive);
        using var target = new TestDataDirectory();
        _original = _manager.RestoreBackup(_archive, target.Root);
        _expected = TestDataDirectory.TreeListing(target.Root);
    }

    public void Dispose()
    {
        BackupFixture.DeleteScratch(_source);
        _source.Dispose();
        _manager.Dispose();
    }

    [Fact]
    public void Members_in_any_order_are_read()
    {
        List<Item> items = ArchiveEditor.Read(_archive);
        Gen.Shuffle(items.ToArray()).Sample(shuffled =>
        {
            string variant = BackupFixture.Scratch(_source, $"shuffled-{Guid.NewGuid():N}.tar");
            ArchiveEditor.Write(variant, shuffled);
            AssertRestoresAsTheOriginal(variant);
        }, iter: 25);
    }

    [Fact]
    public void An_archive_laid_out_as_AeroDB_writes_it_is_read()
    {
        // Sorted by name (backup_manifest.json first), directories without '/', real times, modes
        // with file-type bits, owners, and the manifest AeroDB writes: backup_id = snapshot_id.
        List<Item> items = ArchiveEditor.Read(_archive)
            .Select(static i => i.Type == TarEntryType.Directory ? i with { Name = i.Name.TrimEnd('/') } : i)
            .OrderBy(static i => i.Name, StringComparer.Ordinal)
            .ToList();
        int manifest = items.FindIndex(static i => i.Name == BackupManifest.FileName);
        items[manifest] = items[manifest] with { Data = AeroDbManifest("2026-03-01T08:01:05Z") };
        string variant = BackupFixture.Scratch(_source, "aerodb.tar");
        using (FileStream stream = File.Create(variant))
        using (var writer = new TarWriter(stream, TarEntryFormat.Gnu))
        {
            foreach (Item item in items)
            {
                var entry = new GnuTarEntry(item.Type, item.Name)
                {
                    ModificationTime = new DateTimeOffset(2026, 12, 8, 1, 32, 44, TimeSpan.Zero),
                    Uid = 1000,
                    Gid = 1000,
                    UserName = "aerodb",
                    GroupName = "aerodb",
                };
                if (item.Type == TarEntryType.RegularFile)
                {
                    entry.DataStream = new MemoryStream(item.Data);
                }

                writer.WriteEntry(entry);
            }
        }

        byte[] bytes = File.ReadAllBytes(variant);
        foreach (Item item in items.Where(static i => i.Name.Length < 100))
        {
            TarBlocks.SetMode(bytes.AsSpan(TarBlocks.Find(bytes, item.Name), TarBlocks.Block), item.Type == TarEntryType.Directory ? "0040755" : "0100644");
        }

        File.WriteAllBytes(variant, bytes);
        Assert.Equal(BackupManifest.FileName, items[0].Name);

        BackupVerification result = AssertRestoresAsTheOriginal(variant);

        Assert.Equal(result.Manifest.SnapshotId, result.Manifest.BackupId);
    }

    public static TheoryData<string> Encodings() => ["pax", "ustar", "gnu", "pax path records", "base-256 size", "gnu tar record padding"];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Ustar_gnu_and_pax_encodings_of_names_and_sizes_are_read(string encoding)
    {
        List<Item> items = ArchiveEditor.Read(_archive);
        Assert.Contains(items, static i => Encoding.UTF8.GetByteCount(i.Name) > 100);
        string variant = BackupFixture.Scratch(_source, "encoded.tar");
        switch (encoding)
        {
            case "pax":
                ArchiveEditor.Write(variant, items.Select(static i => i with { Format = TarEntryFormat.Pax }));
                break;
            case "ustar":
                // Long names split into the prefix field.
                ArchiveEditor.Write(variant, items.Select(static i => i with { Format = TarEntryFormat.Ustar }));
                break;
            case "gnu":
                ArchiveEditor.Write(variant, items);
                break;
            case "pax path records":
            {
                // Every name carried only by a PAX path record; the headers say something else.
                var stream = new MemoryStream();
                int n = 0;
                foreach (Item item in items)
                {
                    stream.Write(TarBlocks.Pax(("path", item.Name), ("mtime", "1796693565.123456789"), ("SCHILY.fflags", "nodump")));
                    char type = item.Type == TarEntryType.Directory ? '5' : '0';
                    stream.Write(TarBlocks.Header($"entry{n++}", type, item.Data.Length, gnu: false));
                    stream.Write(item.Data);
                    stream.Write(new byte[TarBlocks.Padding(item.Data.Length)]);
                }

                stream.Write(new byte[2 * TarBlocks.Block]);
                File.WriteAllBytes(variant, stream.ToArray());
                break;
            }

            case "base-256 size":
            {
                ArchiveEditor.Write(variant, items);
                byte[] bytes = File.ReadAllBytes(variant);
                Span<byte> header = bytes.AsSpan(TarBlocks.Find(bytes, "snapshot/storage.dat"), TarBlocks.Block);
                TarBlocks.SetBase256Size(header, 30_000);
                TarBlocks.SetChecksum(header);
                File.WriteAllBytes(variant, bytes);
                break;
            }

            case "gnu tar record padding":
            {
                // GNU tar pads the archive with zeros to a 10 KiB record, after two zero blocks.
                ArchiveEditor.Write(variant, items);
                byte[] bytes = File.ReadAllBytes(variant);
                File.WriteAllBytes(variant, [.. bytes, .. new byte[10240 - (bytes.Length % 10240)]]);
                break;
            }
        }

        AssertRestoresAsTheOriginal(variant);
    }

    [Theory]
    [InlineData("2026-03-01T08:01:00Z")] // the snapshot's own instant
    [InlineData("2026-03-01T08:01:03Z")] // seconds later, as in a backup right after the snapshot
    [InlineData("2026-03-04T17:00:00Z")] // days later
    [InlineData("2029-01-01T00:00:00Z")] // years later: AeroDB backs up its newest snapshot, however old
    public void AeroDBs_backup_manifest_names_the_snapshot_and_any_later_created_at(string createdAt)
    {
        List<Item> items = ArchiveEditor.Read(_archive);
        items[^1] = items[^1] with { Data = AeroDbManifest(createdAt) };
        string variant = BackupFixture.Scratch(_source, "aerodb-manifest.tar");
        ArchiveEditor.Write(variant, items);

        BackupVerification result = AssertRestoresAsTheOriginal(variant);

        Assert.Equal(createdAt, result.Manifest.CreatedAt.ToString());
    }

    [Fact]
    public void Our_own_manifest_shape_still_needs_created_at_to_be_backup_ids_instant()
    {
        List<Item> items = ArchiveEditor.Read(_archive);
        string ours = Encoding.UTF8.GetString(items[^1].Data);
        items[^1] = items[^1] with { Data = Encoding.UTF8.GetBytes(ours.Replace("\"created_at\": \"2026-03-01T09:00:00Z\"", "\"created_at\": \"2026-03-01T09:00:01Z\"", StringComparison.Ordinal)) };
        string variant = BackupFixture.Scratch(_source, "late.tar");
        ArchiveEditor.Write(variant, items);

        SnapshotException error = Assert.Throws<SnapshotException>(() => _manager.VerifyBackup(variant));

        Assert.Equal(SnapshotErrorCode.MetadataCorruption, error.Code);
        Assert.Contains("is not the instant of backup_id", error.Message, StringComparison.Ordinal);
    }

    private static byte[] AeroDbManifest(string createdAt) => Encoding.UTF8.GetBytes(
        $"{{\n  \"backup_id\": \"20260301T080100Z\",\n  \"created_at\": \"{createdAt}\",\n  \"snapshot_id\": \"20260301T080100Z\",\n  \"wal_present\": true,\n  \"format_version\": 1\n}}");

    private BackupVerification AssertRestoresAsTheOriginal(string variant)
    {
        BackupVerification verified = _manager.VerifyBackup(variant);
        using var target = new TestDataDirectory();
        target.WriteStorage(10);
        BackupRestoreResult restored = _manager.RestoreBackup(variant, target.Root);
        Assert.Equal(_expected, TestDataDirectory.TreeListing(target.Root));
        Assert.Equal(_original.SnapshotBytes, verified.SnapshotBytes);
        Assert.Equal(_original.SnapshotBytes, restored.SnapshotBytes);
        Assert.Equal(_original.SnapshotFiles, restored.SnapshotFiles);
        Assert.Empty(restored.Unverified);
        return restored.Archive;
    }
}

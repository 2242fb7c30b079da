using System.Formats.Tar;
using System.Globalization;
using System.Text;
using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Tests.Support;
using CsCheck;
using Xunit.Abstractions;
using Item = AeroSnapshot.Fast.Tests.Backup.ArchiveEditor.Item;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>
/// verify-backup is restore-backup without the writes (issue 25 item 4): for generated archives,
/// hostile and not, verify-backup's verdict (with the target given) equals restore-backup's on a
/// target with room, code for code; a refused restore leaves the target and everything beside it
/// exactly as they were, and an accepted one restores what verify-backup checked.
/// </summary>
public sealed class VerifyMatchesRestoreTests : IDisposable
{
    private const int Kinds = 20; // 0-15 below; 16-19 insert a hostile entry too, the commonest way in

    private readonly ITestOutputHelper _output;
    private readonly SnapshotManager _manager = new();
    private readonly TestDataDirectory _source;
    private readonly SnapshotId _id;

    public VerifyMatchesRestoreTests(ITestOutputHelper output)
    {
        _output = output;
        _source = BackupFixture.Build(out _id, out _, storageBytes: 20_000);
    }

    public void Dispose()
    {
        BackupFixture.DeleteScratch(_source);
        _source.Dispose();
        _manager.Dispose();
    }

    [Fact]
    public void Verify_backup_and_restore_backup_give_the_same_verdict_for_every_generated_archive()
    {
        string good = BackupFixture.Scratch(_source, "good.tar");
        BackupFixture.Backup(_manager, _source.Root, good);
        List<Item> original = ArchiveEditor.Read(good);
        string scratch = BackupFixture.Scratch(_source, "targets");
        Directory.CreateDirectory(scratch);
        using var target = new TestDataDirectory(scratch);
        target.WriteStorage(77, seed: 4);
        target.WriteSchema("old/kept.json", "old");
        var verdicts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int iterations = 0;

        Gen<(int Kind, int A, int B)[]> mutations = Gen.Select(Gen.Int[0, Kinds - 1], Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20]).Array[0, 3];
        mutations.Sample(plan =>
        {
            iterations++;
            string archive = Path.Join(scratch, "archive.tar");
            Build(original, plan, archive);
            IReadOnlyList<string> beside = Directory.GetFileSystemEntries(scratch).Order(StringComparer.Ordinal).ToList();
            IReadOnlyList<string> before = TestDataDirectory.TreeListing(target.Root);

            string? verified = Verdict(() => _manager.VerifyBackup(archive, target.Root, null));
            string? restored = Verdict(() => _manager.RestoreBackup(archive, target.Root).Archive);

            string plainly = string.Join(", ", plan.Select(static p => $"({p.Kind},{p.A},{p.B})"));
            Assert.True(verified == restored, $"plan [{plainly}]: verify-backup says {verified ?? "valid"}, restore-backup {restored ?? "restored"}");
            Assert.Equal(beside, Directory.GetFileSystemEntries(scratch).Order(StringComparer.Ordinal).ToList());
            if (restored is not null)
            {
                Assert.Equal(before, TestDataDirectory.TreeListing(target.Root));
            }
            else
            {
                Assert.Equal(File.ReadAllBytes(Path.Join(_source.SnapshotDirectory(_id), "storage.dat")), File.ReadAllBytes(target.StoragePath));
            }

            verdicts[restored ?? "accepted"] = verdicts.GetValueOrDefault(restored ?? "accepted") + 1;
        }, iter: Iterations(), threads: 1);

        _output.WriteLine($"{iterations} generated archives, the same verdict from verify-backup and restore-backup for each:");
        foreach ((string verdict, int count) in verdicts)
        {
            _output.WriteLine($"  {count,5}  {verdict}");
        }

        // A generator that only ever broke archives (or never did) would prove little.
        Assert.True(verdicts.GetValueOrDefault("accepted") * 10 >= iterations, "too few generated archives were valid");
        Assert.True((iterations - verdicts.GetValueOrDefault("accepted")) * 4 >= iterations, "too few generated archives were hostile");
    }

    private static long Iterations()
        => long.TryParse(Environment.GetEnvironmentVariable("AEROSNAP_FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 ? Math.Min(n, 2_000) : 400;

    private static string? Verdict(Func<BackupVerification> run)
    {
        try
        {
            run();
            return null;
        }
        catch (SnapshotException error)
        {
            return error.Code;
        }
    }

    /// <summary>The archive <paramref name="plan"/> makes of the original's entries: each step benign or hostile.</summary>
    private static void Build(List<Item> original, (int Kind, int A, int B)[] plan, string path)
    {
        List<Item> items = [.. original.Select(static i => i with { Data = [.. i.Data] })];
        var raw = new List<(int Kind, int A, int B)>();
        foreach ((int kind, int a, int b) in plan)
        {
            int at = a % items.Count;
            switch (kind)
            {
                case 0: // any order is fine
                    (items[at], items[b % items.Count]) = (items[b % items.Count], items[at]);
                    break;
                case 1:
                    items.RemoveAt(at);
                    break;
                case 2:
                    items.Insert(b % (items.Count + 1), items[at]);
                    break;
                case 3 or >= 16:
                    items.Insert(b % (items.Count + 1), Hostile(a));
                    break;
                case 4:
                    if (items[at].Data.Length > 0)
                    {
                        items[at].Data[b % items[at].Data.Length] ^= (byte)(1 + (a % 255));
                    }

                    break;
                case 5: // directories with or without '/'
                    if (items[at].Type == TarEntryType.Directory)
                    {
                        items[at] = items[at] with { Name = items[at].Name.TrimEnd('/') };
                    }

                    break;
                case 6: // another encoding of the same entry (ustar only where its name fits one)
                    bool fitsUstar = Encoding.UTF8.GetByteCount(items[at].Name) <= 100;
                    items[at] = items[at] with { Format = b % 2 == 0 || !fitsUstar ? TarEntryFormat.Pax : TarEntryFormat.Ustar };
                    break;
                case 7:
                    int manifest = items.FindIndex(static i => i.Name == BackupManifest.FileName);
                    if (manifest >= 0)
                    {
                        // AeroDB's shape, up to a year late (valid), or a second before its snapshot (not).
                        string createdAt = b % 3 == 0 ? "2026-03-01T07:59:59Z" : BackupFixture.SnapshotClock.AddSeconds(a % 31_536_000).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                        items[manifest] = items[manifest] with { Data = Encoding.UTF8.GetBytes($"{{\"backup_id\": \"20260301T080000Z\", \"created_at\": \"{createdAt}\", \"snapshot_id\": \"20260301T080000Z\", \"wal_present\": true, \"format_version\": 1}}") };
                    }

                    break;
                default:
                    raw.Add((kind, a, b));
                    break;
            }
        }

        if (items.Count == 0)
        {
            File.WriteAllBytes(path, new byte[1024]);
            return;
        }

        ArchiveEditor.Write(path, items);
        byte[] bytes = File.ReadAllBytes(path);
        foreach ((int kind, int a, int b) in raw)
        {
            int blocks = bytes.Length / TarBlocks.Block;
            if (blocks == 0)
            {
                break; // cut to less than a block: nothing left to edit
            }

            switch (kind)
            {
                case 8 or 9: // one byte anywhere: a header, data, padding or the end
                    bytes[a % bytes.Length] ^= (byte)(1 + (b % 255));
                    break;
                case 10:
                    bytes = bytes[..(a % bytes.Length)];
                    break;
                case 11: // zeros after the end are padding; anything else is not
                    bytes = [.. bytes, .. new byte[a % 20_000], .. (b % 2 == 0 ? [] : new[] { (byte)(1 + (b % 255)) })];
                    break;
                case 12: // a size beyond the archive, the header's checksum made right
                {
                    int header = (a % blocks) * TarBlocks.Block;
                    if (bytes.AsSpan(header, TarBlocks.Block).ContainsAnyExcept((byte)0))
                    {
                        TarBlocks.SetBase256Size(bytes.AsSpan(header, TarBlocks.Block), (1L << 30) + b);
                        TarBlocks.SetChecksum(bytes.AsSpan(header, TarBlocks.Block));
                    }

                    break;
                }

                case 13: // a GNU sparse entry
                    bytes = TarBlocks.Splice(bytes, 0, TarBlocks.Header("snapshot/schemas/s.json", 'S', 0));
                    break;
                case 14: // a PAX path record renaming the next entry
                {
                    string[] names = ["snapshot/schemas/../x.json", "snapshot/schemas/users.json", "wal", "/etc/x", "snapshot/schemas/new.json"];
                    bytes = TarBlocks.Splice(bytes, (a % blocks) * TarBlocks.Block, TarBlocks.Pax(("path", names[b % names.Length])));
                    break;
                }

                default: // a directory entry for a new, empty schema directory (valid)
                    bytes = TarBlocks.Splice(bytes, 0, TarBlocks.Header($"snapshot/schemas/dir{a % 10}/", '5', 0));
                    break;
            }
        }

        File.WriteAllBytes(path, bytes);
    }

    private static Item Hostile(int which) => (which % 10) switch
    {
        0 => new Item("snapshot/schemas/link.json", TarEntryType.SymbolicLink, [], "/etc/passwd"),
        1 => new Item("snapshot/schemas/hard.json", TarEntryType.HardLink, [], "snapshot/storage.dat"),
        2 => new Item("snapshot/schemas/fifo", TarEntryType.Fifo, []),
        3 => new Item("/tmp/evil.json", TarEntryType.RegularFile, [1]),
        4 => new Item("snapshot/schemas/../../evil.json", TarEntryType.RegularFile, [1]),
        5 => new Item("snapshot/schemas/users.json/inner.json", TarEntryType.RegularFile, [1]),
        6 => new Item("snapshot/schemas/" + new string('n', 300), TarEntryType.RegularFile, [1]),
        7 => new Item("elsewhere.json", TarEntryType.RegularFile, [1]),
        8 => new Item("snapshot/schemas/b/unlisted.json", TarEntryType.RegularFile, [1]),
        _ => new Item("snapshot/schemas/fresh/", TarEntryType.Directory, []),
    };
}

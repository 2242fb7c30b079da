using System.Formats.Tar;
using AeroSnapshot.Fast.Backup;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>
/// Backup archives AeroDB's own backup code wrote (the reference harness, through
/// <c>scripts/aerodb-fixtures/backups.sh</c>), and re-packs of one of them by GNU tar and Python's
/// tarfile, PAX and GNU: each verifies and restores, and the restored data directory holds exactly the
/// archive's files, read independently with <see cref="TarReader"/>.
/// </summary>
public sealed class ReferenceBackupTests
{
    public static readonly string Fixtures = Path.Join(AppContext.BaseDirectory, "Fixtures", "AeroDB", "backups");

    /// <summary>Each archive, its WAL's records, its schema files the manifest leaves unlisted, its manifest's format.</summary>
    public static TheoryData<string, int, int, int> Archives() => new()
    {
        { "nested.tar", 3, 1, 1 },
        { "checkpointed.tar", 2, 1, 1 },
        { "empty-wal.tar", 0, 1, 1 },
        { "mvcc.tar", 1, 1, 2 },
        { "long-names.tar", 2, 2, 1 },
        { "gnutar-pax.tar", 2, 2, 1 },
        { "gnutar-gnu.tar", 2, 2, 1 },
        { "python-pax.tar", 2, 2, 1 },
        { "python-gnu.tar", 2, 2, 1 },
    };

    [Theory]
    [MemberData(nameof(Archives))]
    public void An_archive_AeroDB_wrote_or_a_tool_repacked_verifies_and_restores_its_exact_contents(string name, int walRecords, int unlisted, int formatVersion)
    {
        string archive = Path.Join(Fixtures, name);
        using var manager = new SnapshotManager();
        using var target = new TestDataDirectory();
        target.WriteStorage(10);
        target.WriteSchema("old.json", "replaced");

        BackupVerification verified = manager.VerifyBackup(archive);
        BackupRestoreResult restored = manager.RestoreBackup(archive, target.Root);

        // AeroDB names the backup after its snapshot and stamps created_at with the backup's own time.
        Assert.Equal(verified.Manifest, restored.Manifest);
        Assert.Equal(verified.SnapshotManifest.SnapshotId, verified.Manifest.BackupId);
        Assert.True(verified.Manifest.CreatedAt.CompareTo(verified.Manifest.BackupId.Instant) >= 0);
        Assert.Equal(formatVersion, verified.SnapshotManifest.FormatVersion);
        Assert.Equal(walRecords, verified.Wal!.Value.Records);
        Assert.Equal(unlisted, verified.Unverified.Count);
        Assert.Equal(verified.Unverified, restored.Unverified);

        Dictionary<string, byte[]> files = ArchiveFiles(archive);
        var expected = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["storage.dat"] = files["snapshot/storage.dat"],
            ["wal/wal.log"] = files["wal/wal.log"],
        };
        foreach ((string path, byte[] data) in files.Where(static f => f.Key.StartsWith("snapshot/schemas/", StringComparison.Ordinal)))
        {
            expected["metadata/schemas/" + path["snapshot/schemas/".Length..]] = data;
        }

        var actual = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(target.Root, "*", SearchOption.AllDirectories))
        {
            actual[Path.GetRelativePath(target.Root, file)] = File.ReadAllBytes(file);
        }

        Assert.Equal(expected.Keys, actual.Keys);
        foreach ((string path, byte[] data) in expected)
        {
            Assert.True(data.AsSpan().SequenceEqual(actual[path]), $"{path} differs from the archive's");
        }
    }

    [Fact]
    public void The_repacked_archives_restore_to_the_same_data_directory_as_the_one_AeroDB_wrote()
    {
        using var manager = new SnapshotManager();
        IReadOnlyList<string>? first = null;
        foreach (string name in new[] { "long-names.tar", "gnutar-pax.tar", "gnutar-gnu.tar", "python-pax.tar", "python-gnu.tar" })
        {
            using var target = new TestDataDirectory();
            manager.RestoreBackup(Path.Join(Fixtures, name), target.Root);
            IReadOnlyList<string> tree = TestDataDirectory.TreeListing(target.Root);
            first ??= tree;
            Assert.Equal(first, tree);
        }
    }

    /// <summary>Every regular file of the archive by its name, as .NET's own tar reader sees them.</summary>
    private static Dictionary<string, byte[]> ArchiveFiles(string archive)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using FileStream stream = File.OpenRead(archive);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
            {
                using var data = new MemoryStream();
                entry.DataStream?.CopyTo(data);
                files.Add(entry.Name, data.ToArray());
            }
        }

        return files;
    }
}

using System.IO.Hashing;
using AeroSnapshot.Fast.Tests.Support;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>Properties over random source trees: copies are exact, checksums are right, output is deterministic.</summary>
public sealed class CreateSnapshotPropertyTests
{
    // Sizes that straddle page and buffer boundaries, plus arbitrary ones up to several MiB.
    private static readonly Gen<int> StorageSize = Gen.OneOf(
        Gen.Int[0, 16],
        Gen.Int[4090, 4100],
        Gen.Int[(64 << 10) - 2, (64 << 10) + 2],
        Gen.Int[(1 << 20) - 2, (1 << 20) + 2],
        Gen.Int[(2 << 20) - 1, (2 << 20) + 1],
        Gen.Int[0, 5 << 20]);

    // Whole atoms, so that no surrogate pair is ever split and no segment is "." or "..".
    private static readonly Gen<string> NameAtom = Gen.OneOf("a", "Z", "0", "é", "日本", "😀", " ", "'", "\"", "-", "_", "ß", "\u0001", "Ω");

    private static readonly Gen<string> Segment = NameAtom.Array[1, 6].Select(static atoms => string.Concat(atoms));

    private static readonly Gen<(string Path, byte[] Content)> SchemaFile = Gen.Select(
        Segment.Array[0, 3].Select(static dirs => string.Concat(dirs.Select(static d => "d" + d + "/"))),
        Segment,
        Gen.Byte.Array[0, 6000],
        static (dirs, name, content) => (dirs + name + ".json", content));

    private static readonly Gen<(int StorageSize, (string Path, byte[] Content)[] Schemas)> SourceTree =
        Gen.Select(StorageSize, SchemaFile.Array[0, 12]);

    [Fact]
    public void Every_copied_file_is_byte_identical_and_every_checksum_is_the_crc32_of_its_source()
    {
        SourceTree.Sample(tree =>
        {
            using var manager = new SnapshotManager();
            using TestDataDirectory data = Build(tree);

            SnapshotId id = data.CreateSnapshot(manager);

            string snapshot = data.SnapshotDirectory(id);
            byte[] storage = File.ReadAllBytes(data.StoragePath);
            Assert.Equal(storage, File.ReadAllBytes(Path.Join(snapshot, "storage.dat")));
            SnapshotManifest manifest = SnapshotManifest.ReadUtf8(File.ReadAllBytes(Path.Join(snapshot, "manifest.json")));
            Assert.Equal(Crc32.HashToUInt32(storage), manifest.StorageChecksum.Value);
            Assert.Equal(DistinctPaths(tree).Count, manifest.SchemaChecksums.Count);
            foreach (ChecksumEntry entry in manifest.SchemaChecksums)
            {
                byte[] source = File.ReadAllBytes(Path.Join(data.SchemaDirectory, entry.Path));
                Assert.Equal(source, File.ReadAllBytes(Path.Join(snapshot, "schemas", entry.Path)));
                Assert.Equal(Crc32.HashToUInt32(source), entry.Checksum.Value);
            }
        }, iter: 25);
    }

    [Fact]
    public void Same_tree_and_clock_give_byte_identical_snapshots_in_two_data_directories()
    {
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 2, 4, 11, 30, 0, TimeSpan.Zero));
        SourceTree.Sample(tree =>
        {
            using var manager = new SnapshotManager();
            using TestDataDirectory first = Build(tree);
            using TestDataDirectory second = Build(tree);
            var options = new SnapshotOptions { TimeProvider = clock };

            SnapshotId a = first.CreateSnapshot(manager, options);
            SnapshotId b = second.CreateSnapshot(manager, options);

            Assert.Equal(a, b);
            Assert.Equal(
                TestDataDirectory.TreeListing(first.SnapshotDirectory(a)),
                TestDataDirectory.TreeListing(second.SnapshotDirectory(b)));
            Assert.Equal(
                File.ReadAllBytes(Path.Join(first.SnapshotDirectory(a), "manifest.json")),
                File.ReadAllBytes(Path.Join(second.SnapshotDirectory(b), "manifest.json")));
        }, iter: 15);
    }

    private static TestDataDirectory Build((int StorageSize, (string Path, byte[] Content)[] Schemas) tree)
    {
        var data = new TestDataDirectory();
        data.WriteStorage(tree.StorageSize, seed: tree.StorageSize);
        Directory.CreateDirectory(data.SchemaDirectory);
        foreach ((string path, byte[] content) in DistinctPaths(tree))
        {
            data.WriteSchema(path, content);
        }

        return data;
    }

    private static List<(string Path, byte[] Content)> DistinctPaths((int StorageSize, (string Path, byte[] Content)[] Schemas) tree)
        => tree.Schemas.DistinctBy(static s => s.Path, StringComparer.Ordinal).ToList();
}

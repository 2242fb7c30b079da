using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Precopy;
using AeroSnapshot.Fast.Tests.Support;
using Change = AeroSnapshot.Fast.Tests.Support.DataDirectoryChange;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.Precopy;

/// <summary>
/// Whatever the database does between the pre-copy and the pause (appends, in-place writes,
/// truncations, a replaced storage file, schema files added, changed and deleted), the snapshot
/// holds the sources as they were at the pause, byte for byte, its manifest is a plain create's,
/// and the full copy is taken exactly when the storage file stopped being an append of the prefix.
/// </summary>
public sealed class PrecopyPropertyTests
{
    // Small chunks, so that files of a few hundred KiB span many strong hashes and their edges.
    private const int Chunk = 64 << 10;

    private static readonly DateTimeOffset Instant = new(2026, 11, 30, 13, 0, 0, TimeSpan.Zero);

    private static readonly Gen<int> StorageSize = Gen.OneOf(
        Gen.Int[0, 16],
        Gen.Int[Chunk - 2, Chunk + 2],
        Gen.Int[(3 * Chunk) - 1, (3 * Chunk) + 1],
        Gen.Int[0, 700_000]);

    private static readonly Gen<Change> AnyChange = Gen.OneOf<Change>(
        Gen.Int[1, 200_000].Select(static n => (Change)new Change.Append(n)),
        Gen.Select(Gen.Double[0, 1], Gen.Int[1, 3000], static (at, n) => (Change)new Change.Overwrite(at, n)),
        Gen.Double[0, 1].Select(static f => (Change)new Change.Truncate(f)),
        Gen.Bool.Select(static same => (Change)new Change.Replace(same)),
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 5], Gen.Int[0, 3000], static (d, f, n) => (Change)new Change.WriteSchema(d, f, n)),
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 5], static (d, f) => (Change)new Change.DeleteSchema(d, f)),
        Gen.Int[1, 2].Select(static d => (Change)new Change.DeleteSchemaDirectory(d)));

    private static readonly Gen<(int Size, (int Dir, int File, int Bytes)[] Schemas, Change[] Changes, ulong Seed)> Case = Gen.Select(
        StorageSize,
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 5], Gen.Int[0, 3000]).Array[0, 8],
        AnyChange.Array[0, 5],
        Gen.ULong);

    /// <param name="mapped">The pause re-hashes the prefix in the pre-copy's mapping (the default), or re-reads it through the copy loop (where mapping fails).</param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Snapshot_equals_the_sources_at_the_pause_and_a_plain_create_and_falls_back_exactly_when_the_prefix_is_not_kept(bool mapped)
    {
        Case.Sample(c =>
        {
            using var manager = new SnapshotManager();
            using var data = new TestDataDirectory();
            var random = new Random((int)c.Seed);
            data.WriteStorage(Change.Bytes(random, c.Size));
            foreach ((int dir, int file, int bytes) in c.Schemas)
            {
                data.WriteSchema(Change.SchemaName(dir, file), Change.Bytes(random, bytes));
            }

            var options = new SnapshotOptions { PrecopyChunkBytes = Chunk, PrecopyMapsPrefix = mapped, BufferSize = 16 << 10, TimeProvider = new FixedTimeProvider(Instant) };
            byte[] prefix = File.ReadAllBytes(data.StoragePath);
            Dictionary<string, byte[]> schemasAtPrecopy = SchemaFiles(data);
            using SnapshotPrecopy precopy = manager.PrecopySnapshot(data.Root, data.StoragePath, data.SchemaDirectory, options);
            FileIdentity? identityAtPrecopy = FileIdentity.Of(data.StoragePath);

            foreach (Change change in c.Changes)
            {
                change.Apply(data, random);
            }

            ExpectedContent atPause = ExpectedContent.Read(data.StoragePath, data.SchemaDirectory);
            var executionLock = new GlobalExecutionLock();
            SnapshotResult result;
            using (executionLock.Acquire())
            {
                result = manager.CreateSnapshot(data.Root, data.StoragePath, data.SchemaDirectory, WalDurability.None, executionLock, new SnapshotOptions
                {
                    PrecopyChunkBytes = Chunk,
                    BufferSize = 16 << 10,
                    TimeProvider = new FixedTimeProvider(Instant),
                    Precopy = precopy,
                });
            }

            Assert.Empty(IndependentSnapshotOracle.Judge(result.Directory, atPause));

            // A stale staged copy is only set aside in the pause (a leftover name); disposing the
            // pre-copy, after the pause, deletes it.
            Assert.All(
                Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory).Select(Path.GetFileName).Where(n => n != result.Id.ToString()),
                n => Assert.StartsWith(".precopy-stale-", n, StringComparison.Ordinal));
            precopy.Dispose();
            Assert.Equal([result.Id.ToString()], Directory.EnumerateFileSystemEntries(data.SnapshotsDirectory).Select(Path.GetFileName));

            PrecopyStorageOutcome expected =
                FileIdentity.Of(data.StoragePath) != identityAtPrecopy ? PrecopyStorageOutcome.Replaced
                : atPause.Storage.Length < prefix.Length ? PrecopyStorageOutcome.Shrank
                : !atPause.Storage.AsSpan(0, prefix.Length).SequenceEqual(prefix) ? PrecopyStorageOutcome.PrefixChanged
                : PrecopyStorageOutcome.Appended;
            PrecopyReport report = Assert.IsType<PrecopyReport>(result.Precopy);
            Assert.Equal(expected, report.Storage);
            Assert.Equal(expected == PrecopyStorageOutcome.Appended ? atPause.Storage.Length - prefix.Length : 0, report.AppendedBytes);
            int unchanged = schemasAtPrecopy.Count(kv => atPause.SchemaFiles.TryGetValue(kv.Key, out byte[]? now) && now.AsSpan().SequenceEqual(kv.Value));
            Assert.Equal((unchanged, atPause.SchemaFiles.Count - unchanged, schemasAtPrecopy.Count - unchanged), (report.SchemaFilesReused, report.SchemaFilesCopied, report.SchemaFilesRemoved));

            // The same sources and clock without a pre-copy: the same snapshot, to the manifest's bytes.
            byte[] manifest = File.ReadAllBytes(Path.Join(result.Directory, "manifest.json"));
            IReadOnlyList<string> listing = TestDataDirectory.TreeListing(result.Directory);
            TestDataDirectory.DeleteTree(result.Directory);
            SnapshotId plain = data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = new FixedTimeProvider(Instant) });
            Assert.Equal(manifest, File.ReadAllBytes(Path.Join(data.SnapshotDirectory(plain), "manifest.json")));
            Assert.Equal(listing, TestDataDirectory.TreeListing(data.SnapshotDirectory(plain)));
        }, iter: 60, threads: 1);
    }

    private static Dictionary<string, byte[]> SchemaFiles(TestDataDirectory data)
        => new(ExpectedContent.Read(data.StoragePath, data.SchemaDirectory).SchemaFiles, StringComparer.Ordinal);
}

using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>The alternative write paths kept for the benchmarks produce the same snapshot as the default.</summary>
public sealed class WriteModeTests
{
    [Theory]
    [InlineData("Direct", 0)]
    [InlineData("Direct", 4096)]
    [InlineData("Direct", (1 << 20) + 1)]
    [InlineData("Direct", (3 << 20) - 7)]
    [InlineData("DontCache", (1 << 20) + 1)]
    [InlineData("DontCache", (3 << 20) - 7)]
    public void Storage_copy_is_byte_identical_and_verifies_in_every_write_mode(string modeName, int size)
    {
        var mode = Enum.Parse<DestinationWriteMode>(modeName);
        using var manager = new SnapshotManager();
        using var data = new TestDataDirectory();
        data.WriteStorage(size, seed: size);

        SnapshotId id = data.CreateSnapshot(manager, new SnapshotOptions { StorageWriteMode = mode });

        Assert.Equal(File.ReadAllBytes(data.StoragePath), File.ReadAllBytes(Path.Join(data.SnapshotDirectory(id), "storage.dat")));
        Assert.True(manager.Verify(data.SnapshotDirectory(id)).IsValid);
    }

    [Theory]
    [InlineData("EachAsWritten")]
    [InlineData("SyncFs")]
    public void Schema_tree_is_byte_identical_and_verifies_in_every_sync_mode_and_with_read_ahead(string modeName)
    {
        var mode = Enum.Parse<Fast.Creation.SchemaSyncMode>(modeName);
        using var manager = new SnapshotManager();
        using var data = new TestDataDirectory();
        data.WriteStorage(10_000);
        for (int i = 0; i < 300; i++)
        {
            data.WriteSchema($"c{i % 7}/s{i}.json", new string('x', i));
        }

        SnapshotId id = data.CreateSnapshot(manager, new SnapshotOptions { SchemaSync = mode, PrefetchSchemas = mode != Fast.Creation.SchemaSyncMode.EachAsWritten });

        Assert.True(manager.Verify(data.SnapshotDirectory(id)).IsValid);
        Assert.Equal(
            TestDataDirectory.TreeListing(data.SchemaDirectory),
            TestDataDirectory.TreeListing(Path.Join(data.SnapshotDirectory(id), "schemas")));
    }
}

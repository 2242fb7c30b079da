namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// The shared checker must be able to fail: each test breaks one invariant by hand, the way a buggy
/// create could, and expects the checker to name it. A checker that passes everything would make
/// every reliability suite pass whatever the tool did.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed class SnapshotInvariantsTests : IDisposable
{
    private readonly DataDirectory _dir = new(storageBytes: 64 * 1024);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Checker_passes_an_untouched_data_directory_and_a_complete_new_snapshot()
    {
        using SnapshotInvariants invariants = EarlierSnapshots.In(_dir);
        Assert.True(invariants.Observe().Holds);

        string id = _dir.CreateSnapshot();

        Observation seen = invariants.Check("after a create");
        Assert.Equal([id], seen.NewSnapshots);
    }

    [Fact]
    public void Checker_names_an_earlier_snapshot_with_a_flipped_byte()
    {
        using SnapshotInvariants invariants = EarlierSnapshots.In(_dir);
        _dir.CorruptByte(EarlierSnapshots.Ids[0]);

        Observation seen = invariants.Observe();

        Assert.Contains(seen.Violations, v => v.Contains($"snapshot {EarlierSnapshots.Ids[0]} is visible but does not verify", StringComparison.Ordinal));
        Assert.Contains(seen.Violations, v => v.Contains($"earlier snapshot {EarlierSnapshots.Ids[0]} is gone or no longer valid", StringComparison.Ordinal));
    }

    [Fact]
    public void Checker_names_a_visible_snapshot_without_its_manifest()
    {
        using SnapshotInvariants invariants = EarlierSnapshots.In(_dir);
        EarlierSnapshots.Clone(_dir.SnapshotsPath, EarlierSnapshots.Ids[1], "20210101T000000Z");
        File.Delete(Path.Join(_dir.SnapshotPath("20210101T000000Z"), "manifest.json"));

        Observation seen = invariants.Observe();

        Assert.Contains(seen.Violations, v => v.StartsWith("snapshot 20210101T000000Z is visible but does not verify", StringComparison.Ordinal));
    }

    [Fact]
    public void Checker_names_a_valid_new_snapshot_that_does_not_hold_the_sources_bytes()
    {
        using SnapshotInvariants invariants = EarlierSnapshots.In(_dir);
        byte[] original = File.ReadAllBytes(_dir.StoragePath);
        File.WriteAllBytes(_dir.StoragePath, [.. original.Select(static b => (byte)~b)]);
        string id = _dir.CreateSnapshot();
        File.WriteAllBytes(_dir.StoragePath, original);

        Observation seen = invariants.Observe();

        Assert.Contains(seen.Violations, v => v.StartsWith($"new snapshot {id} does not hold the source's bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void Checker_names_changed_sources_extra_snapshots_and_foreign_entries_and_reports_leftovers()
    {
        using SnapshotInvariants invariants = EarlierSnapshots.In(_dir);
        EarlierSnapshots.Clone(_dir.SnapshotsPath, EarlierSnapshots.Ids[1], "20210101T000000Z");
        EarlierSnapshots.Clone(_dir.SnapshotsPath, EarlierSnapshots.Ids[1], "20210101T000001Z");
        Directory.CreateDirectory(Path.Join(_dir.SnapshotsPath, ".staging-20210101T000002Z"));
        File.WriteAllText(Path.Join(_dir.SnapshotsPath, "stray.txt"), "?");
        _dir.WriteSchema("users/user.v1.json", """{"changed":true}""");

        Observation seen = invariants.Observe(maxNew: 1);

        Assert.Contains(seen.Violations, v => v.StartsWith("the sources changed", StringComparison.Ordinal));
        Assert.Contains(seen.Violations, v => v.StartsWith("2 new snapshots", StringComparison.Ordinal));
        Assert.Contains(seen.Violations, v => v.StartsWith("unexpected entry 'stray.txt'", StringComparison.Ordinal));
        Assert.Equal([".staging-20210101T000002Z"], seen.Leftovers);
        Assert.Throws<Xunit.Sdk.XunitException>(() => seen.ThrowIfViolated("test"));
    }
}

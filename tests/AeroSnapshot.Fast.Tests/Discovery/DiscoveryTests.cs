using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Layout;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Verification;
using Microsoft.Extensions.Logging;

namespace AeroSnapshot.Fast.Tests.Discovery;

/// <summary>
/// Startup discovery: the newest snapshot that verifies is chosen; everything passed over is
/// reported (callback and log); names that are not snapshot ids are ignored; nothing is deleted.
/// </summary>
public sealed class DiscoveryTests : IDisposable
{
    private readonly ReadSideWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void The_newest_valid_snapshot_is_chosen_past_a_corrupt_newer_one_a_staging_leftover_and_a_stray_file()
    {
        _workspace.WriteTypicalData("old");
        SnapshotId older = _workspace.Snapshot();
        _workspace.WriteTypicalData("new");
        SnapshotId newest = _workspace.Snapshot();
        Damage.FlipBit(Path.Join(_workspace.SnapshotPath(newest), "storage.dat"), 100);

        // An interrupted create: a staging directory named for an even newer id, with data but no manifest.
        string staging = Path.Join(_workspace.SnapshotsDirectory, ".staging-20990101T000000Z");
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Join(staging, "storage.dat"), "half");
        File.WriteAllText(Path.Join(_workspace.SnapshotsDirectory, "README.txt"), "not a snapshot");
        List<string> before = TreeListing.Of(_workspace.SnapshotsDirectory);

        var logger = new CapturingLogger();
        var skippedByCallback = new List<SkippedSnapshot>();
        DiscoveryResult result = _workspace.Manager.DiscoverNewestValid(_workspace.DataDirectory, new SnapshotOptions { Logger = logger }, skippedByCallback.Add);

        Assert.True(result.Found);
        Assert.Equal(older, result.SelectedId);
        Assert.True(result.Selected!.IsValid);

        SkippedSnapshot skipped = Assert.Single(result.Skipped);
        Assert.Equal(newest, skipped.Id);
        Assert.Equal(SnapshotErrorCode.DataCorruption, skipped.Code);
        Assert.Equal((VerificationProblemKind.ChecksumMismatch, "storage.dat"), (skipped.Problems[0].Kind, skipped.Problems[0].RelativePath));
        Assert.Equal([skipped], skippedByCallback);

        (LogLevel level, EventId eventId, string message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Equal(2, eventId.Id);
        Assert.Contains(newest.ToString(), message, StringComparison.Ordinal);
        Assert.Contains(SnapshotErrorCode.DataCorruption, message, StringComparison.Ordinal);
        Assert.Contains("ChecksumMismatch storage.dat", message, StringComparison.Ordinal);

        Assert.Equal([".staging-20990101T000000Z", "README.txt"], result.IgnoredEntries.Order(StringComparer.Ordinal));
        Assert.Equal(before, TreeListing.Of(_workspace.SnapshotsDirectory)); // nothing deleted or changed
    }

    [Fact]
    public void With_no_valid_snapshot_discovery_says_none_was_found_and_reports_each_one()
    {
        _workspace.WriteTypicalData();
        SnapshotId first = _workspace.Snapshot();
        SnapshotId second = _workspace.Snapshot();
        File.Delete(Path.Join(_workspace.SnapshotPath(first), "manifest.json"));
        File.Delete(Path.Join(_workspace.SnapshotPath(second), "schemas", "users.json"));

        DiscoveryResult result = _workspace.Manager.DiscoverNewestValid(_workspace.DataDirectory);

        Assert.False(result.Found);
        Assert.Null(result.SelectedId);
        Assert.Equal([second, first], result.Skipped.Select(s => s.Id));
        Assert.Equal([SnapshotErrorCode.DataCorruption, SnapshotErrorCode.MetadataCorruption], result.Skipped.Select(s => s.Code));
        Assert.True(Directory.Exists(_workspace.SnapshotPath(first)));
        Assert.True(Directory.Exists(_workspace.SnapshotPath(second)));
    }

    [Fact]
    public void A_data_directory_without_snapshots_is_not_found_and_not_an_error()
    {
        DiscoveryResult result = _workspace.Manager.DiscoverNewestValid(_workspace.DataDirectory);

        Assert.False(result.Found);
        Assert.Empty(result.Skipped);
        Assert.Empty(result.IgnoredEntries);
    }

    [Fact]
    public void A_symlink_named_like_a_snapshot_is_skipped_and_not_followed()
    {
        _workspace.WriteTypicalData();
        SnapshotId real = _workspace.Snapshot();
        string link = Path.Join(_workspace.SnapshotsDirectory, "20990101T000000Z");
        File.CreateSymbolicLink(link, _workspace.SnapshotPath(real));

        DiscoveryResult result = _workspace.Manager.DiscoverNewestValid(_workspace.DataDirectory);

        Assert.Equal(real, result.SelectedId);
        SkippedSnapshot skipped = Assert.Single(result.Skipped);
        Assert.Equal(link, skipped.Directory);
        Assert.Equal(VerificationProblemKind.NotARegularFile, Assert.Single(skipped.Problems).Kind);
    }

    [Fact]
    public void Snapshots_older_than_the_chosen_one_are_not_read()
    {
        _workspace.WriteTypicalData();
        SnapshotId older = _workspace.Snapshot();
        SnapshotId newer = _workspace.Snapshot();
        Damage.FlipBit(Path.Join(_workspace.SnapshotPath(older), "storage.dat"), 1);

        DiscoveryResult result = _workspace.Manager.DiscoverNewestValid(_workspace.DataDirectory);

        Assert.Equal(newer, result.SelectedId);
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public void Listing_reads_manifests_and_sizes_but_no_data_and_classifies_every_entry()
    {
        _workspace.WriteTypicalData();
        SnapshotId first = _workspace.Snapshot();
        SnapshotId second = _workspace.Snapshot();
        Damage.WriteManifest(_workspace.SnapshotPath(first), "garbage");
        Damage.FlipBit(Path.Join(_workspace.SnapshotPath(second), "storage.dat"), 1); // invisible to a listing
        Directory.CreateDirectory(Path.Join(_workspace.SnapshotsDirectory, StagingArea.DeletingPrefix + first));
        File.WriteAllText(Path.Join(_workspace.SnapshotsDirectory, "notes"), "x");

        IReadOnlyList<SnapshotListing> listing = _workspace.Manager.ListSnapshots(_workspace.DataDirectory);

        Assert.Equal([second.ToString(), first.ToString(), ".deleting-" + first, "notes"], listing.Select(l => l.Name));
        Assert.Equal([SnapshotEntryKind.Snapshot, SnapshotEntryKind.Snapshot, SnapshotEntryKind.Incomplete, SnapshotEntryKind.Other], listing.Select(l => l.Kind));

        SnapshotListing good = listing[0];
        Assert.True(good.ManifestReadable);
        Assert.Equal(second.Instant, good.CreatedAt);
        Assert.Equal(5, good.Files); // storage, three schemas, manifest
        long expectedBytes = Directory.EnumerateFiles(_workspace.SnapshotPath(second), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.Equal(expectedBytes, good.Bytes);

        SnapshotListing bad = listing[1];
        Assert.False(bad.ManifestReadable);
        Assert.Null(bad.CreatedAt);
        Assert.Contains("manifest.json", bad.ManifestError, StringComparison.Ordinal);
    }

    [Fact]
    public void Listing_a_data_directory_without_snapshots_is_empty()
    {
        Assert.Empty(_workspace.Manager.ListSnapshots(_workspace.DataDirectory));
    }

    [Fact]
    public void RemoveLeftovers_removes_staging_and_deleting_directories_and_never_a_snapshot()
    {
        _workspace.WriteTypicalData();
        SnapshotId id = _workspace.Snapshot();
        Damage.FlipBit(Path.Join(_workspace.SnapshotPath(id), "storage.dat"), 1); // even a corrupt one stays
        string staging = Path.Join(_workspace.SnapshotsDirectory, ".staging-20990101T000000Z");
        string deleting = Path.Join(_workspace.SnapshotsDirectory, ".deleting-20200101T000000Z");
        Directory.CreateDirectory(Path.Join(staging, "schemas"));
        Directory.CreateDirectory(deleting);
        File.WriteAllText(Path.Join(deleting, "storage.dat"), "x");
        File.WriteAllText(Path.Join(_workspace.SnapshotsDirectory, "notes"), "x");

        IReadOnlyList<string> removed = _workspace.Manager.RemoveLeftovers(_workspace.DataDirectory);

        Assert.Equal([".deleting-20200101T000000Z", ".staging-20990101T000000Z"], removed.Order(StringComparer.Ordinal));
        Assert.Equal(
            [id.ToString(), "notes"],
            Directory.EnumerateFileSystemEntries(_workspace.SnapshotsDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}

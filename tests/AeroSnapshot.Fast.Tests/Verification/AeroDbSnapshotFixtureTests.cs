using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Tests.Verification;

/// <summary>
/// Snapshots and a checkpoint marker AeroDB's own code wrote (<c>Fixtures/AeroDB/</c>, from
/// <c>scripts/aerodb-fixtures/snapshots.sh</c>), read by verify and discovery as recovery must read
/// them: nested schema files and a top-level file whose name is not UTF-8 are unlisted findings,
/// never corruption, unless verification is strict.
/// </summary>
public sealed class AeroDbSnapshotFixtureTests : IDisposable
{
    private readonly string _root = Path.Join(Path.GetTempPath(), "aerosnap-fixture-" + Guid.NewGuid().ToString("N")[..12]);

    private string Snapshots => Path.Join(_root, "snapshots");

    public void Dispose() => AeroDbFixtures.RemoveTree(_root);

    [Fact]
    public void A_reference_snapshot_with_nested_schemas_is_valid_and_names_its_unlisted_files()
    {
        string snapshot = AeroDbFixtures.Unpack("snapshots/nested.tar", Snapshots);
        using var manager = new SnapshotManager();

        VerificationReport report = manager.Verify(snapshot);

        Assert.True(report.IsValid, report.Summarize());
        Assert.Equal(["orders_v1.json", "user_v1.json"], report.Manifest!.SchemaChecksums.Select(static e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal(["schemas/app/items.json", "schemas/app/orders/v2.json"], report.Unlisted.Select(static u => u.RelativePath));
        Assert.Equal(3, report.FilesVerified);
        Assert.False(manager.Verify(snapshot, new SnapshotOptions { Strict = true }).IsValid);
    }

    [Fact]
    public void The_reference_mvcc_snapshot_is_valid_with_format_version_2_and_its_commit_boundary()
    {
        string snapshot = AeroDbFixtures.Unpack("snapshots/mvcc.tar", Snapshots);
        using var manager = new SnapshotManager();

        VerificationReport report = manager.Verify(snapshot);

        Assert.True(report.IsValid, report.Summarize());
        Assert.Equal(2, report.Manifest!.FormatVersion);
        Assert.Equal(ulong.MaxValue, report.Manifest.CommitBoundary);
        Assert.Equal(["schemas/app/items.json"], report.Unlisted.Select(static u => u.RelativePath));
    }

    [Fact]
    public void A_top_level_schema_file_whose_name_is_not_utf8_is_an_unlisted_finding_and_newest_still_picks_the_snapshot()
    {
        string snapshot = AeroDbFixtures.Unpack("snapshots/not-utf8.tar", Snapshots);
        using var manager = new SnapshotManager();

        VerificationReport report = manager.Verify(snapshot);

        Assert.True(report.IsValid, report.Summarize());
        Assert.Equal(["schemas/app/items.json", "schemas/bad-\\xff\\xfe.json"], report.Unlisted.Select(static u => u.RelativePath).Order(StringComparer.Ordinal));
        Assert.All(report.Unlisted, static u => Assert.Equal(VerificationProblemKind.Unlisted, u.Kind));
        Assert.Contains("not UTF-8", report.Unlisted.Single(static u => u.RelativePath.StartsWith("schemas/bad", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

        DiscoveryResult newest = manager.DiscoverNewestValid(_root);
        Assert.Equal(Path.GetFileName(snapshot), newest.SelectedId.ToString());
        Assert.Empty(newest.Skipped);

        VerificationReport strict = manager.Verify(snapshot, new SnapshotOptions { Strict = true });
        Assert.Contains(strict.Problems, static p => p.Kind == VerificationProblemKind.ExtraFile && p.RelativePath == "schemas/bad-\\xff\\xfe.json");
        Assert.False(manager.DiscoverNewestValid(_root, new SnapshotOptions { Strict = true }).Found);
    }

    [Fact]
    public void Our_own_snapshot_stays_strict_about_a_name_that_is_not_utf8()
    {
        // This library lists every schema file with its path, so a manifest with a nested key
        // claims the whole tree: a stray file, whatever its name, is corruption there.
        using var data = new TestDataDirectory();
        data.WriteStorage(1000);
        data.WriteSchema("a/b.json", "{}");
        using var manager = new SnapshotManager();
        SnapshotId id = data.CreateSnapshot(manager);
        string schemas = Path.Join(data.SnapshotDirectory(id), "schemas");
        ExternalCommand.Run("chmod", "u+w", schemas);
        ExternalCommand.Run("python3", "-c", "import sys; open(sys.argv[1].encode() + b'/bad-\\xff', 'wb').close()", schemas);
        try
        {
            VerificationReport report = manager.Verify(data.SnapshotDirectory(id));

            VerificationProblem problem = Assert.Single(report.Problems);
            Assert.Equal(VerificationProblemKind.ExtraFile, problem.Kind);
            Assert.Equal("schemas/bad-\\xff", problem.RelativePath);
            Assert.Empty(report.Unlisted);
        }
        finally
        {
            ExternalCommand.Run("python3", "-c", "import os, sys; os.remove(sys.argv[1].encode() + b'/bad-\\xff')", schemas);
        }
    }

    [Fact]
    public void The_checkpoint_marker_AeroDB_wrote_reads_and_writes_back_byte_for_byte()
    {
        byte[] written = File.ReadAllBytes(AeroDbFixtures.PathOf("checkpoint", "checkpoint.json"));

        CheckpointMarker marker = CheckpointMarker.ReadUtf8(written);

        Assert.True(marker.WalTruncated);
        Assert.Equal(1, marker.FormatVersion);
        var ours = new byte[marker.GetUtf8ByteCount()];
        Assert.True(marker.TryWriteUtf8(ours, out int length));
        Assert.Equal(written, ours[..length]);
    }
}

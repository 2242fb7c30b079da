using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Pruning;
using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Tests.Verification;

/// <summary>
/// Snapshots written by AeroDB's Rust reference (reproduced by <see cref="ReferenceSnapshotWriter"/>):
/// a <c>created_at</c> a little after the id, only top-level schema files listed (bare names, any
/// key order), nested schema files present but unlisted, writable files, the MVCC variant. Such a
/// snapshot whose listed files verify is valid for verify, discovery, prune and restore; unlisted
/// files are findings, never silent and never corruption unless verification is strict.
/// </summary>
public sealed class ReferenceSnapshotTests : IDisposable
{
    private static readonly DateTimeOffset Taken = new(2026, 2, 4, 11, 30, 0, TimeSpan.Zero);

    private readonly ReadSideWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private string Data => _workspace.DataDirectory;

    private string ReferenceSnapshot(TimeSpan? createdAtDelay = null, ulong? commitBoundary = null, DateTimeOffset? at = null)
    {
        _workspace.WriteTypicalData(); // users.json at the top; app/items.json and app/orders/v2.json nested
        return ReferenceSnapshotWriter.Write(Data, at ?? Taken, createdAtDelay ?? TimeSpan.FromSeconds(1), commitBoundary);
    }

    [Fact]
    public void A_reference_snapshot_with_a_later_created_at_and_nested_unlisted_files_is_valid()
    {
        string snapshot = ReferenceSnapshot();

        VerificationReport report = _workspace.Manager.Verify(snapshot);

        Assert.True(report.IsValid, report.Summarize());
        Assert.Equal(["schemas/app/items.json", "schemas/app/orders/v2.json"], report.Unlisted.Select(static u => u.RelativePath));
        Assert.All(report.Unlisted, static u => Assert.Equal(VerificationProblemKind.Unlisted, u.Kind));
        Assert.Equal(2, report.FilesVerified); // storage.dat and users.json: the listed files
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(60)]
    public void Created_at_up_to_60_seconds_after_the_id_is_accepted(int seconds)
    {
        string snapshot = ReferenceSnapshot(TimeSpan.FromSeconds(seconds));

        Assert.True(_workspace.Manager.Verify(snapshot).IsValid);
    }

    [Theory]
    [InlineData(61, "more than 60 s after")]
    [InlineData(3600, "more than 60 s after")]
    [InlineData(-1, "before the instant")]
    public void Created_at_before_the_id_or_beyond_the_bound_is_metadata_corruption(int seconds, string reason)
    {
        string snapshot = ReferenceSnapshot(TimeSpan.FromSeconds(seconds));

        VerificationReport report = _workspace.Manager.Verify(snapshot);

        VerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal(VerificationProblemKind.ManifestInvalid, problem.Kind);
        Assert.Contains(reason, problem.Message, StringComparison.Ordinal);
        Assert.Equal(SnapshotErrorCode.MetadataCorruption, report.CorruptionCode);
    }

    [Fact]
    public void The_mvcc_variant_with_format_version_2_and_a_commit_boundary_is_valid()
    {
        string snapshot = ReferenceSnapshot(commitBoundary: 18_446_744_073_709_551_615);

        VerificationReport report = _workspace.Manager.Verify(snapshot);

        Assert.True(report.IsValid, report.Summarize());
        Assert.Equal(2, report.Manifest!.FormatVersion);
        Assert.Equal(ulong.MaxValue, report.Manifest.CommitBoundary);
    }

    [Fact]
    public void An_empty_schema_source_gives_an_empty_schemas_directory_that_is_valid()
    {
        Directory.Delete(_workspace.SchemaDirectory, recursive: true);
        string snapshot = ReferenceSnapshotWriter.Write(Data, Taken, TimeSpan.FromSeconds(1));

        VerificationReport report = _workspace.Manager.Verify(snapshot);

        Assert.True(report.IsValid, report.Summarize());
        Assert.Empty(report.Unlisted);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Join(snapshot, "schemas")));
    }

    [Fact]
    public void Keys_in_any_order_are_read_the_same()
    {
        _workspace.WriteTypicalData();
        _workspace.WriteSchema("b.json", "{}");
        _workspace.WriteSchema("a.json", "{}");
        _workspace.WriteSchema("c.json", "{}");
        string first = ReferenceSnapshotWriter.Write(Data, Taken, TimeSpan.Zero, shuffleSeed: 1);
        string second = ReferenceSnapshotWriter.Write(Data, Taken.AddSeconds(1), TimeSpan.Zero, shuffleSeed: 7);

        SnapshotManifest one = _workspace.Manager.Verify(first).Manifest!;
        SnapshotManifest two = _workspace.Manager.Verify(second).Manifest!;

        Assert.NotEqual(File.ReadAllText(Path.Join(first, "manifest.json"))[80..], File.ReadAllText(Path.Join(second, "manifest.json"))[80..]);
        Assert.Equal(one.SchemaChecksums, two.SchemaChecksums);
    }

    [Fact]
    public void A_listed_file_that_does_not_match_is_still_data_corruption()
    {
        string snapshot = ReferenceSnapshot();
        Damage.FlipBit(Path.Join(snapshot, "schemas", "users.json"), 1);

        VerificationReport report = _workspace.Manager.Verify(snapshot);

        Assert.Equal(VerificationProblemKind.ChecksumMismatch, Assert.Single(report.Problems).Kind);
        Assert.Equal(SnapshotErrorCode.DataCorruption, report.CorruptionCode);
        Assert.Equal(2, report.Unlisted.Count);
    }

    [Fact]
    public void Strict_verification_makes_every_unlisted_file_corruption()
    {
        string snapshot = ReferenceSnapshot();

        VerificationReport report = _workspace.Manager.Verify(snapshot, new SnapshotOptions { Strict = true });

        Assert.False(report.IsValid);
        Assert.Equal(["schemas/app/items.json", "schemas/app/orders/v2.json"], report.Problems.Select(static p => p.RelativePath));
        Assert.All(report.Problems, static p => Assert.Equal(VerificationProblemKind.ExtraFile, p.Kind));
        Assert.Empty(report.Unlisted);
    }

    [Fact]
    public void An_unlisted_file_at_the_top_of_schemas_is_extra_because_the_reference_lists_all_of_those()
    {
        string snapshot = ReferenceSnapshot();
        File.WriteAllText(Path.Join(snapshot, "schemas", "stray.json"), "{}");

        VerificationReport report = _workspace.Manager.Verify(snapshot);

        VerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal(VerificationProblemKind.ExtraFile, problem.Kind);
        Assert.Equal("schemas/stray.json", problem.RelativePath);
    }

    [Fact]
    public void An_unlisted_symbolic_link_is_extra_even_in_a_reference_snapshot()
    {
        string snapshot = ReferenceSnapshot();
        File.CreateSymbolicLink(Path.Join(snapshot, "schemas", "app", "link.json"), "/etc/passwd");

        VerificationReport report = _workspace.Manager.Verify(snapshot);

        Assert.Equal(VerificationProblemKind.ExtraFile, Assert.Single(report.Problems).Kind);
    }

    [Fact]
    public void Our_own_snapshot_lists_nested_files_and_is_held_to_its_whole_tree()
    {
        _workspace.WriteTypicalData();
        SnapshotId id = _workspace.Snapshot();
        string stray = Path.Join(_workspace.SnapshotPath(id), "schemas", "app", "stray.json");
        Damage.MakeWritable(Path.GetDirectoryName(stray)!);
        File.WriteAllText(stray, "{}");

        VerificationReport report = _workspace.Manager.Verify(_workspace.SnapshotPath(id));

        VerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal(VerificationProblemKind.ExtraFile, problem.Kind);
        Assert.Equal("schemas/app/stray.json", problem.RelativePath);
        Assert.Empty(report.Unlisted);
    }

    [Fact]
    public void Discovery_selects_a_reference_snapshot_and_reports_its_unlisted_files()
    {
        ReferenceSnapshot();

        DiscoveryResult result = _workspace.Manager.DiscoverNewestValid(Data);

        Assert.True(result.Found);
        Assert.Equal(SnapshotId.Parse("20260204T113000Z"), result.SelectedId);
        Assert.Equal(2, result.Selected!.Unlisted.Count);
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public void Prune_treats_reference_snapshots_as_valid()
    {
        ReferenceSnapshot();
        ReferenceSnapshotWriter.Write(Data, Taken.AddMinutes(5), TimeSpan.FromSeconds(1));

        PruneResult result = _workspace.Manager.Prune(Data, keep: 1);

        Assert.Equal([SnapshotId.Parse("20260204T113500Z")], result.Kept);
        Assert.Equal([SnapshotId.Parse("20260204T113000Z")], result.Deleted);
        Assert.Empty(result.Invalid);
    }

    [Fact]
    public void Restore_copies_the_whole_tree_and_names_the_files_it_could_not_verify()
    {
        string snapshot = ReferenceSnapshot();
        string target = Path.Join(_workspace.Root, "restored");
        Directory.CreateDirectory(target);

        RestoreResult result = _workspace.Manager.Restore(snapshot, target);

        Assert.Equal(["schemas/app/items.json", "schemas/app/orders/v2.json"], result.UnverifiedFiles);
        Assert.Equal(4, result.FilesRestored);
        Assert.Equal(
            TreeListing.Of(Path.Join(snapshot, "schemas"), modes: false),
            TreeListing.Of(Path.Join(target, "metadata", "schemas"), modes: false));
        Assert.Equal(File.ReadAllBytes(Path.Join(snapshot, "storage.dat")), File.ReadAllBytes(Path.Join(target, "storage.dat")));
    }

    [Fact]
    public void Strict_restore_refuses_a_snapshot_with_unlisted_files_and_writes_nothing()
    {
        string snapshot = ReferenceSnapshot();
        string target = Path.Join(_workspace.Root, "restored");
        Directory.CreateDirectory(target);

        SnapshotException error = Assert.Throws<SnapshotException>(() => _workspace.Manager.Restore(snapshot, target, options: new SnapshotOptions { Strict = true }));

        Assert.Equal(SnapshotErrorCode.DataCorruption, error.Code);
        Assert.Equal("D2", error.Invariant);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
    }
}

using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Tests.Verification;

/// <summary>
/// The corruption cases of PostgreSQL's pg_verifybackup tests (003_corruption.pl), each applied to a
/// real snapshot and each expected to be found with its own kind and the path it concerns.
/// </summary>
public sealed class VerifyCorruptionTests : IDisposable
{
    private const string NestedSchema = "schemas/app/orders/v2.json";

    private readonly ReadSideWorkspace _workspace = new();
    private readonly SnapshotId _id;
    private readonly string _snapshot;

    public VerifyCorruptionTests()
    {
        _workspace.WriteTypicalData();
        _id = _workspace.Snapshot();
        _snapshot = _workspace.SnapshotPath(_id);
    }

    public void Dispose() => _workspace.Dispose();

    private string InSnapshot(string relative) => Path.Join(_snapshot, relative);

    private VerificationReport Verify(SnapshotOptions? options = null) => _workspace.Manager.Verify(_snapshot, options);

    [Fact]
    public void An_untouched_snapshot_verifies_and_every_byte_is_read_once()
    {
        VerificationReport report = Verify();

        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(4, report.FilesVerified);
        long expectedBytes = new FileInfo(InSnapshot("storage.dat")).Length
            + Directory.EnumerateFiles(InSnapshot("schemas"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.Equal(expectedBytes, report.BytesVerified);
        Assert.Equal(_id, report.Manifest!.SnapshotId);
        Assert.Null(report.ToCorruptionError());
    }

    [Fact]
    public void Progress_counts_up_to_every_byte_verified()
    {
        var seen = new List<SnapshotProgress>();

        VerificationReport report = Verify(new SnapshotOptions { Progress = new InlineProgress<SnapshotProgress>(seen.Add) });

        Assert.NotEmpty(seen);
        Assert.All(seen, p => Assert.Equal(report.BytesVerified, p.BytesTotal));
        Assert.Equal(report.BytesVerified, seen[^1].BytesDone);
        Assert.Equal(seen.Select(p => p.BytesDone).Order(), seen.Select(p => p.BytesDone));
    }

    [Fact]
    public void An_extra_file_in_schemas_is_reported_as_extra()
    {
        File.WriteAllText(InSnapshot("schemas/app/stray.json"), "{}");

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal(VerificationProblemKind.ExtraFile, problem.Kind);
        Assert.Equal("schemas/app/stray.json", problem.RelativePath);
    }

    [Fact]
    public void An_extra_file_or_directory_at_the_top_level_is_reported_as_extra()
    {
        File.WriteAllText(InSnapshot("notes.txt"), "hello");
        Directory.CreateDirectory(InSnapshot("more/deeper"));

        VerificationReport report = Verify();

        Assert.Equal(
            [(VerificationProblemKind.ExtraFile, "more"), (VerificationProblemKind.ExtraFile, "notes.txt")],
            report.Problems.Select(p => (p.Kind, p.RelativePath)).Order());
    }

    [Fact]
    public void A_missing_schema_file_is_reported_as_missing_with_its_expected_checksum()
    {
        string expected = Damage.ChecksumOf(InSnapshot(NestedSchema));
        File.Delete(InSnapshot(NestedSchema));

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal(VerificationProblemKind.FileMissing, problem.Kind);
        Assert.Equal(NestedSchema, problem.RelativePath);
        Assert.Equal(expected, problem.Expected.ToString());
    }

    [Fact]
    public void A_missing_storage_file_is_reported_as_missing()
    {
        File.Delete(InSnapshot("storage.dat"));

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal((VerificationProblemKind.FileMissing, "storage.dat"), (problem.Kind, problem.RelativePath));
    }

    [Fact]
    public void A_byte_appended_to_storage_is_a_checksum_mismatch_with_both_checksums()
    {
        string before = Damage.ChecksumOf(InSnapshot("storage.dat"));
        Damage.AppendByte(InSnapshot("storage.dat"));
        string after = Damage.ChecksumOf(InSnapshot("storage.dat"));

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal(VerificationProblemKind.ChecksumMismatch, problem.Kind);
        Assert.Equal("storage.dat", problem.RelativePath);
        Assert.Equal(before, problem.Expected.ToString());
        Assert.Equal(after, problem.Actual.ToString());
    }

    [Fact]
    public void A_file_truncated_to_zero_is_a_checksum_mismatch()
    {
        Damage.TruncateToZero(InSnapshot("schemas/users.json"));

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal((VerificationProblemKind.ChecksumMismatch, "schemas/users.json"), (problem.Kind, problem.RelativePath));
        Assert.Equal(0u, problem.Actual!.Value.Value); // the CRC-32 of nothing
    }

    [Fact]
    public void A_same_size_replacement_is_a_checksum_mismatch()
    {
        Damage.ReplaceSameSize(InSnapshot("storage.dat"));

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal((VerificationProblemKind.ChecksumMismatch, "storage.dat"), (problem.Kind, problem.RelativePath));
    }

    [Fact]
    public void A_flipped_bit_in_storage_is_a_checksum_mismatch()
    {
        Damage.FlipBit(InSnapshot("storage.dat"), offset: 4321, bit: 6);

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal((VerificationProblemKind.ChecksumMismatch, "storage.dat"), (problem.Kind, problem.RelativePath));
    }

    [Fact]
    public void A_flipped_bit_in_a_nested_schema_file_is_a_checksum_mismatch_naming_that_file()
    {
        Damage.FlipBit(InSnapshot(NestedSchema), offset: 3);

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal((VerificationProblemKind.ChecksumMismatch, NestedSchema), (problem.Kind, problem.RelativePath));
    }

    [Fact]
    public void A_byte_appended_to_the_manifest_makes_it_invalid()
    {
        Damage.AppendByte(InSnapshot("manifest.json"), (byte)'x');

        VerificationReport report = Verify();

        VerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal((VerificationProblemKind.ManifestInvalid, "manifest.json"), (problem.Kind, problem.RelativePath));
        Assert.Null(report.Manifest);
        Assert.Equal(0, report.FilesVerified); // nothing to check data against
    }

    [Fact]
    public void A_missing_manifest_is_reported_as_missing()
    {
        File.Delete(InSnapshot("manifest.json"));

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal((VerificationProblemKind.ManifestMissing, "manifest.json"), (problem.Kind, problem.RelativePath));
    }

    [Fact]
    public void A_garbage_manifest_is_invalid()
    {
        Damage.WriteManifest(_snapshot, "\u0001\u0002 this is not JSON {{{");

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal(VerificationProblemKind.ManifestInvalid, problem.Kind);
    }

    [Fact]
    public void A_manifest_whose_snapshot_id_is_not_the_directory_name_is_a_mismatch_and_the_data_is_still_checked()
    {
        string storage = Damage.ChecksumOf(InSnapshot("storage.dat"));
        Damage.WriteManifest(_snapshot, Damage.Manifest(
            "20250101T000000Z",
            "2025-01-01T00:00:00Z",
            storage,
            ("app/items.json", Damage.ChecksumOf(InSnapshot("schemas/app/items.json"))),
            ("app/orders/v2.json", Damage.ChecksumOf(InSnapshot(NestedSchema))),
            ("users.json", Damage.ChecksumOf(InSnapshot("schemas/users.json")))));

        VerificationReport report = Verify();

        VerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal(VerificationProblemKind.SnapshotIdMismatch, problem.Kind);
        Assert.Contains(_id.ToString(), problem.Message, StringComparison.Ordinal);
        Assert.Equal(4, report.FilesVerified);
    }

    [Fact]
    public void A_directory_where_a_file_should_be_is_not_a_regular_file_and_is_not_read()
    {
        File.Delete(InSnapshot("schemas/users.json"));
        Directory.CreateDirectory(InSnapshot("schemas/users.json"));
        File.WriteAllText(InSnapshot("schemas/users.json/inside.json"), "{}");

        VerificationReport report = Verify();

        Assert.Contains(report.Problems, p => p.Kind == VerificationProblemKind.NotARegularFile && p.RelativePath == "schemas/users.json");
        Assert.Contains(report.Problems, p => p.Kind == VerificationProblemKind.ExtraFile && p.RelativePath == "schemas/users.json/inside.json");
        Assert.Equal(3, report.FilesVerified);
    }

    [Fact]
    public void Every_problem_is_reported_in_one_pass()
    {
        File.WriteAllText(InSnapshot("schemas/extra.json"), "{}");
        File.Delete(InSnapshot("schemas/app/items.json"));
        Damage.FlipBit(InSnapshot("storage.dat"), 10);
        Damage.AppendByte(InSnapshot(NestedSchema));

        VerificationReport report = Verify();

        Assert.Equal(
            [
                (VerificationProblemKind.FileMissing, "schemas/app/items.json"),
                (VerificationProblemKind.ExtraFile, "schemas/extra.json"),
                (VerificationProblemKind.ChecksumMismatch, "schemas/app/orders/v2.json"),
                (VerificationProblemKind.ChecksumMismatch, "storage.dat"),
            ],
            report.Problems.Select(p => (p.Kind, p.RelativePath)).OrderBy(p => p.Kind).ThenBy(p => p.RelativePath, StringComparer.Ordinal));
    }

    [Fact]
    public void StopAtFirstProblem_reports_exactly_one_and_stops_reading()
    {
        File.WriteAllText(InSnapshot("schemas/extra.json"), "{}");
        Damage.FlipBit(InSnapshot("storage.dat"), 10);
        Damage.AppendByte(InSnapshot(NestedSchema));

        VerificationReport report = Verify(new SnapshotOptions { StopAtFirstProblem = true });

        Assert.Single(report.Problems);
        Assert.False(report.IsValid);
        Assert.Equal(0, report.FilesVerified); // the extra file is found before any data is read
    }

    [Fact]
    public void A_data_problem_becomes_a_fatal_data_corruption_error_naming_the_file()
    {
        Damage.FlipBit(InSnapshot("storage.dat"), 10);

        SnapshotException error = Assert.Throws<SnapshotException>(() => Verify().ThrowIfInvalid());

        Assert.Equal(SnapshotErrorCode.DataCorruption, error.Code);
        Assert.Equal(SnapshotSeverity.Fatal, error.Severity);
        Assert.Equal(InSnapshot("storage.dat"), error.Path);
        Assert.Contains("expected crc32:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_problem_becomes_a_fatal_metadata_corruption_error_even_alongside_data_problems()
    {
        Damage.WriteManifest(_snapshot, "{}");

        SnapshotException error = Verify().ToCorruptionError()!;

        Assert.Equal(SnapshotErrorCode.MetadataCorruption, error.Code);
        Assert.Equal(SnapshotSeverity.Fatal, error.Severity);
    }

    [Fact]
    public void Verifying_a_path_where_nothing_exists_is_an_io_error_with_enoent()
    {
        SnapshotException error = Assert.Throws<SnapshotException>(() => _workspace.Manager.Verify(Path.Join(_workspace.SnapshotsDirectory, "20200101T000000Z")));

        Assert.Equal(SnapshotErrorCode.IO, error.Code);
        Assert.Equal(2, error.Errno);
    }

    [Fact]
    public void A_read_failure_is_reported_as_unreadable_with_its_errno_and_the_other_files_are_still_read()
    {
        int calls = 0;
        var options = new SnapshotOptions
        {
            BeforeStep = step =>
            {
                if (step == SnapshotStep.Read && ++calls == 2)
                {
                    throw Faults.Eio(step);
                }
            },
        };

        VerificationReport report = Verify(options);

        VerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal(VerificationProblemKind.Unreadable, problem.Kind);
        Assert.Equal(5, problem.Errno);
        Assert.True(report.HasReadFailures);
        Assert.Equal(3, report.FilesVerified);
    }
}

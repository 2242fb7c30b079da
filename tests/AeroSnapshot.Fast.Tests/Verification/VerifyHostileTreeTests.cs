using System.Diagnostics;
using AeroSnapshot.Fast.ManifestFormat;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Tests.Verification;

/// <summary>
/// Snapshots that try to make verification read something else: keys that climb out of
/// <c>schemas/</c>, links in every position, a FIFO, a huge manifest. Verification must report each
/// and never follow, open or read what it points to.
/// </summary>
public sealed class VerifyHostileTreeTests : IDisposable
{
    private readonly ReadSideWorkspace _workspace = new();
    private readonly SnapshotId _id;
    private readonly string _snapshot;
    private readonly string _outside;

    public VerifyHostileTreeTests()
    {
        _workspace.WriteTypicalData();
        _id = _workspace.Snapshot();
        _snapshot = _workspace.SnapshotPath(_id);
        _outside = Path.Join(_workspace.Root, "outside");
        Directory.CreateDirectory(_outside);
    }

    public void Dispose() => _workspace.Dispose();

    private string InSnapshot(string relative) => Path.Join(_snapshot, relative);

    private VerificationReport Verify() => _workspace.Manager.Verify(_snapshot);

    [Theory]
    [InlineData("../x")]
    [InlineData("../../../outside/secret")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    public void A_manifest_key_that_climbs_out_of_schemas_is_reported_and_nothing_is_read(string key)
    {
        // A file the key would reach if it were joined to schemas/, so a read would be visible.
        File.WriteAllText(InSnapshot("x"), "outside schemas");
        File.WriteAllText(Path.Join(_outside, "secret"), "outside the snapshot");
        Damage.WriteManifest(_snapshot, Damage.Manifest(
            _id.ToString(),
            _id.Instant.ToString(),
            Damage.ChecksumOf(InSnapshot("storage.dat")),
            ("users.json", Damage.ChecksumOf(InSnapshot("schemas/users.json"))),
            (key, "crc32:00000000")));

        VerificationReport report = Verify();

        VerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal(VerificationProblemKind.ManifestInvalid, problem.Kind);
        Assert.Contains(key, problem.Message, StringComparison.Ordinal);
        Assert.Equal(0, report.FilesVerified);
        Assert.Equal(0, report.BytesVerified);
        Assert.Equal(SnapshotErrorCode.MetadataCorruption, report.ToCorruptionError()!.Code);
    }

    [Fact]
    public void A_listed_file_replaced_by_a_symlink_is_reported_and_not_followed()
    {
        // The link points at a file with exactly the expected bytes: following it would "verify".
        string copy = Path.Join(_outside, "users.json");
        File.Copy(InSnapshot("schemas/users.json"), copy);
        File.Delete(InSnapshot("schemas/users.json"));
        File.CreateSymbolicLink(InSnapshot("schemas/users.json"), copy);

        VerificationReport report = Verify();

        VerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal((VerificationProblemKind.NotARegularFile, "schemas/users.json"), (problem.Kind, problem.RelativePath));
        Assert.Contains("symbolic link", problem.Message, StringComparison.Ordinal);
        Assert.Equal(3, report.FilesVerified);
    }

    [Fact]
    public void An_unlisted_symlink_inside_schemas_is_an_extra_entry_and_not_followed()
    {
        File.CreateSymbolicLink(InSnapshot("schemas/passwd.json"), "/etc/passwd");

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal((VerificationProblemKind.ExtraFile, "schemas/passwd.json"), (problem.Kind, problem.RelativePath));
        Assert.Contains("not followed", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlinked_intermediate_directory_is_not_traversed_and_its_keys_are_reported_outside()
    {
        // The real files move outside the snapshot, intact; a link takes the directory's place.
        Directory.Move(InSnapshot("schemas/app"), Path.Join(_outside, "app"));
        File.CreateSymbolicLink(InSnapshot("schemas/app"), Path.Join(_outside, "app"));

        VerificationReport report = Verify();

        Assert.Equal(
            [
                (VerificationProblemKind.ExtraFile, "schemas/app"),
                (VerificationProblemKind.PathOutsideSnapshot, "schemas/app/items.json"),
                (VerificationProblemKind.PathOutsideSnapshot, "schemas/app/orders/v2.json"),
            ],
            report.Problems.Select(p => (p.Kind, p.RelativePath)));
        Assert.Equal(2, report.FilesVerified); // storage.dat and schemas/users.json only
    }

    [Fact]
    public void A_symlinked_schemas_directory_is_not_traversed()
    {
        Directory.Move(InSnapshot("schemas"), Path.Join(_outside, "schemas"));
        File.CreateSymbolicLink(InSnapshot("schemas"), Path.Join(_outside, "schemas"));

        VerificationReport report = Verify();

        Assert.Contains(report.Problems, p => p.Kind == VerificationProblemKind.ExtraFile && p.RelativePath == "schemas");
        Assert.Equal(3, report.Problems.Count(p => p.Kind == VerificationProblemKind.PathOutsideSnapshot));
        Assert.Equal(1, report.FilesVerified);
    }

    [Fact]
    public void A_snapshot_path_that_is_a_symlink_is_reported_and_not_followed()
    {
        string link = Path.Join(_workspace.SnapshotsDirectory, "20300101T000000Z");
        File.CreateSymbolicLink(link, _snapshot);

        VerificationReport report = _workspace.Manager.Verify(link);

        VerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal((VerificationProblemKind.NotARegularFile, "."), (problem.Kind, problem.RelativePath));
        Assert.Equal(0, report.FilesVerified);
    }

    [Fact]
    public void A_symlinked_manifest_is_invalid_and_not_followed()
    {
        string copy = Path.Join(_outside, "manifest.json");
        File.Copy(InSnapshot("manifest.json"), copy);
        File.Delete(InSnapshot("manifest.json"));
        File.CreateSymbolicLink(InSnapshot("manifest.json"), copy);

        VerificationProblem problem = Assert.Single(Verify().Problems);

        Assert.Equal(VerificationProblemKind.ManifestInvalid, problem.Kind);
        Assert.Contains("symbolic link", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fifo_where_storage_should_be_is_reported_at_once_without_blocking()
    {
        File.Delete(InSnapshot("storage.dat"));
        Mkfifo(InSnapshot("storage.dat"));

        // Opening a FIFO for reading blocks until a writer comes; there is none. Verification must
        // not even try, and must return promptly (a TimeoutException here means it blocked).
        VerificationReport report = await Task.Run(Verify).WaitAsync(TimeSpan.FromSeconds(20));

        VerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal((VerificationProblemKind.NotARegularFile, "storage.dat"), (problem.Kind, problem.RelativePath));
        Assert.Contains("FIFO", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_over_the_size_limit_is_refused_from_its_size_without_being_read()
    {
        string manifest = InSnapshot("manifest.json");
        Damage.MakeWritable(manifest);
        using (var stream = new FileStream(manifest, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(JsonDocumentReader.MaxDocumentLength + 1L); // sparse: costs no disk
        }

        _workspace.Manager.Verify(_snapshot); // warm-up: JIT and the buffer pool
        long before = GC.GetAllocatedBytesForCurrentThread();
        VerificationReport report = Verify();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        VerificationProblem problem = Assert.Single(report.Problems);
        Assert.Equal(VerificationProblemKind.ManifestInvalid, problem.Kind);
        Assert.Contains("limit", problem.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64 * 1024, $"Refusing the manifest allocated {allocated} bytes; it must not be read into memory.");
    }

    private static void Mkfifo(string path)
    {
        using Process process = ExternalCommand.Start(new ProcessStartInfo("mkfifo", [path]));
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}

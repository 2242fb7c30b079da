using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

/// <summary>
/// Snapshots AeroDB's Rust reference wrote, through the tool: valid for verify, newest and
/// list --verify, with the files the manifest does not list shown in text and JSON, never silently
/// ignored; <c>--strict</c> makes them corruption; errors carry the specification's invariant.
/// </summary>
public sealed class ReferenceSnapshotCommandTests : IDisposable
{
    private static readonly DateTimeOffset Taken = new(2026, 2, 4, 11, 30, 0, TimeSpan.Zero);
    private const string Id = "20260204T113000Z";

    private readonly DataDirectory _dir = new();

    public ReferenceSnapshotCommandTests()
    {
        _dir.WriteSchema("top.json", """{"top":true}""");
        ReferenceSnapshotWriter.Write(_dir.Data, Taken, TimeSpan.FromSeconds(1));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Verify_calls_a_reference_snapshot_valid_and_lists_its_unlisted_files()
    {
        CliResult text = CliProcess.Run("verify", _dir.SnapshotPath(Id));
        CliResult json = CliProcess.Run("verify", _dir.SnapshotPath(Id), "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains($"Snapshot {Id} is valid", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 files present but not listed in the manifest", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("Unlisted: schemas/orders/lines/line.v1.json", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("Unlisted: schemas/users/user.v1.json", text.Stdout, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        using JsonDocument document = json.Json();
        Assert.True(document.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(
            ["schemas/orders/lines/line.v1.json", "schemas/users/user.v1.json"],
            document.RootElement.GetProperty("unlisted").EnumerateArray().Select(static u => u.GetProperty("file").GetString()));
        Assert.All(document.RootElement.GetProperty("unlisted").EnumerateArray(), static u => Assert.Equal("unlisted", u.GetProperty("kind").GetString()));
    }

    [Fact]
    public void Verify_strict_calls_unlisted_files_corruption_with_invariant_D2()
    {
        CliResult result = CliProcess.Run("verify", _dir.SnapshotPath(Id), "--strict", "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        using JsonDocument document = result.Json();
        // A corrupt snapshot gives the one failure document, the report in its details.
        Assert.Equal(2, document.RootElement.GetProperty("details").GetProperty("report").GetProperty("problems").GetArrayLength());
        JsonElement error = document.RootElement;
        Assert.Equal("AERO_DATA_CORRUPTION", error.GetProperty("code").GetString());
        Assert.Equal("D2", error.GetProperty("invariant").GetString());
        Assert.Equal("every snapshot file matches its manifest checksum", error.GetProperty("details").GetProperty("rule").GetString());
    }

    [Fact]
    public void Newest_selects_the_reference_snapshot_and_shows_its_unlisted_files()
    {
        CliResult text = CliProcess.Run("newest", _dir.Data);
        CliResult json = CliProcess.Run("newest", _dir.Data, "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains($"Newest valid snapshot: {Id}", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("not listed in the manifest", text.Stdout, StringComparison.Ordinal);
        using JsonDocument document = json.Json();
        Assert.Equal(Id, document.RootElement.GetProperty("selected").GetProperty("snapshot_id").GetString());
        Assert.Equal(2, document.RootElement.GetProperty("selected").GetProperty("unlisted").GetArrayLength());
    }

    [Fact]
    public void List_verify_marks_the_reference_snapshot_valid_with_its_unlisted_count()
    {
        CliResult text = CliProcess.Run("list", _dir.Data, "--verify");
        CliResult json = CliProcess.Run("list", _dir.Data, "--verify", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("valid (2 unlisted)", text.Stdout, StringComparison.Ordinal);
        using JsonDocument document = json.Json();
        JsonElement entry = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray());
        Assert.Equal("valid", entry.GetProperty("status").GetString());
        Assert.Equal(2, entry.GetProperty("unlisted").GetArrayLength());
    }

    [Fact]
    public void Restore_of_a_reference_snapshot_copies_the_whole_tree_and_names_the_unverified_files()
    {
        string target = Path.Join(_dir.Root, "target");
        Directory.CreateDirectory(target);

        CliResult result = CliProcess.Run("restore", _dir.SnapshotPath(Id), target, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument document = result.Json();
        Assert.Equal(2, document.RootElement.GetProperty("unverified").GetArrayLength());
        Assert.True(File.Exists(Path.Join(target, "metadata", "schemas", "orders", "lines", "line.v1.json")));
        Assert.True(File.Exists(Path.Join(target, "metadata", "schemas", "top.json")));
    }
}

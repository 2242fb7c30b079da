using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

/// <summary><c>create --precopy</c> and <c>demo --precopy</c>: the same snapshot, both times reported.</summary>
public sealed class CreatePrecopyCommandTests : IDisposable
{
    private readonly DataDirectory _dir = new();
    private readonly string _root = Path.Join(Path.GetTempPath(), "aerosnap-cli-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _dir.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Create_precopy_publishes_the_sources_and_reports_the_precopy_and_the_pause()
    {
        CliResult text = CliProcess.Run("create", _dir.Data, "--precopy");

        Assert.True(text.ExitCode == 0, text.ToString());
        string id = Assert.Single(_dir.SnapshotIds());
        Assert.Equal(File.ReadAllBytes(_dir.StoragePath), File.ReadAllBytes(Path.Join(_dir.SnapshotPath(id), "storage.dat")));
        Assert.Contains("precopy ", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("in the pause: prefix re-hashed, 0 B appended; schema files: 2 kept, 0 copied, 0 dropped", text.Stdout, StringComparison.Ordinal);
        Assert.Equal([id], Directory.GetFileSystemEntries(_dir.SnapshotsPath).Select(Path.GetFileName));
    }

    [Fact]
    public void Create_precopy_json_has_the_precopy_object()
    {
        CliResult result = CliProcess.Run("create", _dir.Data, "--precopy", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = result.Json();
        JsonElement precopy = json.RootElement.GetProperty("precopy");
        Assert.Equal(new FileInfo(_dir.StoragePath).Length, precopy.GetProperty("storage_bytes").GetInt64());
        Assert.True(precopy.GetProperty("elapsed_ms").GetDouble() > 0);
        Assert.Equal("appended", precopy.GetProperty("storage").GetString());
        Assert.Equal(2, precopy.GetProperty("schema_files_reused").GetInt32());
        Assert.Equal(JsonValueKind.Null, precopy.GetProperty("fallback").ValueKind);
    }

    [Fact]
    public void Create_without_precopy_has_no_precopy_object()
    {
        CliResult result = CliProcess.Run("create", _dir.Data, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = result.Json();
        Assert.False(json.RootElement.TryGetProperty("precopy", out _));
    }

    [Fact]
    public void Demo_precopy_takes_a_second_snapshot_that_appends_only_the_new_mebibyte()
    {
        string dir = Path.Join(_root, "demo");

        CliResult result = CliProcess.Run("demo", "--dir", dir, "--size", "4MiB", "--precopy", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = result.Json();
        JsonElement second = json.RootElement.GetProperty("precopy_snapshot");
        Assert.Equal("appended", second.GetProperty("precopy").GetProperty("storage").GetString());
        Assert.Equal(1 << 20, second.GetProperty("precopy").GetProperty("appended_bytes").GetInt64());
        Assert.Equal(4L << 20, second.GetProperty("precopy").GetProperty("storage_bytes").GetInt64());
        Assert.True(json.RootElement.GetProperty("precopy_verification").GetProperty("valid").GetBoolean());
        Assert.Equal(2, Directory.GetDirectories(Path.Join(dir, "snapshots")).Length);
    }
}

using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _root = Path.Join(Path.GetTempPath(), "aerosnap-cli-tests-" + Guid.NewGuid().ToString("N"));

    public DemoCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact(Skip = ReadSide.Pending)]
    public void Demo_in_an_empty_folder_builds_a_data_directory_snapshots_it_and_verifies_it()
    {
        string dir = Path.Join(_root, "demo");
        Directory.CreateDirectory(dir);

        CliResult result = CliProcess.Run("demo", "--dir", dir, "--size", "4MiB");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(4L * 1024 * 1024, new FileInfo(Path.Join(dir, "storage.dat")).Length);
        Assert.Equal(8, AeroDbWal.ReadAll(File.ReadAllBytes(Path.Join(dir, "wal", "wal.log")))); // AeroDB's record format, as its reader reads it
        Assert.NotEmpty(Directory.GetFiles(Path.Join(dir, "metadata", "schemas"), "*.json", SearchOption.AllDirectories));
        string snapshot = Assert.Single(Directory.GetDirectories(Path.Join(dir, "snapshots")));
        Assert.Contains(Path.GetFileName(snapshot), result.Stdout, StringComparison.Ordinal);
        Assert.Contains("MB/s", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("pause", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("is valid", result.Stdout, StringComparison.Ordinal);
    }

    [Fact(Skip = ReadSide.Pending)]
    public void Demo_json_reports_the_build_the_snapshot_and_a_valid_verification()
    {
        string dir = Path.Join(_root, "demo-json");

        CliResult result = CliProcess.Run("demo", "--dir", dir, "--size", "1MiB", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = result.Json();
        JsonElement root = json.RootElement;
        Assert.Equal(dir, root.GetProperty("data_dir").GetString());
        Assert.Equal(1024 * 1024, root.GetProperty("built").GetProperty("storage_bytes").GetInt64());
        Assert.True(root.GetProperty("snapshot").GetProperty("pause_ms").GetDouble() > 0);
        Assert.True(root.GetProperty("verification").GetProperty("valid").GetBoolean());
        Assert.Empty(root.GetProperty("verification").GetProperty("problems").EnumerateArray());
    }

    [Fact]
    public void Demo_without_dir_builds_in_a_new_folder_under_the_system_temp_directory_and_says_where()
    {
        // TMPDIR points the tool's temp directory into this test's folder, so nothing is left behind.
        var environment = new Dictionary<string, string> { ["TMPDIR"] = _root + "/" };

        CliResult text = CliProcess.Run(environment, "demo", "--size", "64KiB");
        CliResult json = CliProcess.Run(environment, "demo", "--size", "64KiB", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("under the system temp directory", text.Stdout, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        using JsonDocument document = json.Json();
        string dir = document.RootElement.GetProperty("data_dir").GetString()!;
        Assert.True(document.RootElement.GetProperty("default_dir").GetBoolean());
        Assert.Equal(_root, Path.GetDirectoryName(dir));
        Assert.StartsWith("aerosnap-demo-", Path.GetFileName(dir), StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetDirectories(_root, "aerosnap-demo-*").Length);
    }

    [Fact]
    public void Demo_storage_content_is_deterministic_for_a_given_size()
    {
        // Two demos of the same size write byte-identical storage files.
        string first = Path.Join(_root, "one");
        string second = Path.Join(_root, "two");
        Assert.Equal(0, CliProcess.Run("demo", "--dir", first, "--size", "1048577", "--quiet").ExitCode);
        Assert.Equal(0, CliProcess.Run("demo", "--dir", second, "--size", "1048577", "--quiet").ExitCode);

        byte[] a = File.ReadAllBytes(Path.Join(first, "storage.dat"));
        Assert.Equal(1048577, a.Length);
        Assert.Equal(a, File.ReadAllBytes(Path.Join(second, "storage.dat")));
        Assert.NotEqual(a[..4096], new byte[4096]);
    }

    [Fact]
    public void Demo_refuses_a_folder_that_is_not_empty()
    {
        string dir = Path.Join(_root, "busy");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Join(dir, "precious.txt"), "keep me");

        CliResult result = CliProcess.Run("demo", "--dir", dir, "--size", "4KiB");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("not an empty folder", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(["precious.txt"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
    }
}

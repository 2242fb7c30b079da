using System.Text.Json;
using AeroSnapshot.Cli.Tests.Reliability;

namespace AeroSnapshot.Cli.Tests;

public sealed class CreateCommandTests : IDisposable
{
    private readonly DataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Create_publishes_a_snapshot_and_prints_its_id_and_path()
    {
        CliResult result = CliProcess.Run("create", _dir.Data);

        Assert.True(result.ExitCode == 0, result.ToString());
        string id = Assert.Single(_dir.SnapshotIds());
        Assert.Contains(id, result.Stdout, StringComparison.Ordinal);
        Assert.Contains(_dir.SnapshotPath(id), result.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Join(_dir.SnapshotPath(id), "manifest.json")));
        Assert.Equal(File.ReadAllBytes(_dir.StoragePath), File.ReadAllBytes(Path.Join(_dir.SnapshotPath(id), "storage.dat")));
        Assert.Equal(
            File.ReadAllText(Path.Join(_dir.SchemasPath, "orders", "lines", "line.v1.json")),
            File.ReadAllText(Path.Join(_dir.SnapshotPath(id), "schemas", "orders", "lines", "line.v1.json")));
    }

    [Fact]
    public void Create_json_prints_one_document_describing_the_snapshot()
    {
        CliResult result = CliProcess.Run("create", _dir.Data, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = result.Json();
        JsonElement root = json.RootElement;
        string id = root.GetProperty("snapshot_id").GetString()!;
        Assert.Equal(Assert.Single(_dir.SnapshotIds()), id);
        Assert.Equal(_dir.SnapshotPath(id), root.GetProperty("snapshot_dir").GetString());
        Assert.Equal(_dir.Data, root.GetProperty("data_dir").GetString());
        Assert.Equal(Path.Join(_dir.Data, "wal", "wal.log"), root.GetProperty("wal").GetString());
        Assert.Equal(4, root.GetProperty("files").GetInt32()); // storage, two schemas, manifest
        Assert.True(root.GetProperty("bytes").GetInt64() > new FileInfo(_dir.StoragePath).Length);
        Assert.True(root.GetProperty("pause_ms").GetDouble() > 0);
    }

    /// <summary>
    /// Issue 28: create captures under the lock and completes after it, and reports both times; the
    /// steps after the capture (the syncs, the manifest, the publication) are outside the pause.
    /// With --lock-throughout the lock is held for the whole create, so the pause is all of it.
    /// </summary>
    [Fact]
    public void Create_reports_the_capture_as_the_pause_and_the_total_until_published_unless_the_lock_is_held_throughout()
    {
        CliResult captured = CliProcess.Run("create", _dir.Data, "--json");
        Assert.True(captured.ExitCode == 0, captured.ToString());
        using JsonDocument capturedJson = captured.Json();
        double pause = capturedJson.RootElement.GetProperty("pause_ms").GetDouble();
        double total = capturedJson.RootElement.GetProperty("total_ms").GetDouble();
        Assert.True(pause > 0 && total > pause, $"pause {pause} ms, total {total} ms");
        JsonElement steps = capturedJson.RootElement.GetProperty("steps_ms");
        Assert.True(steps.TryGetProperty("publish", out _) && steps.TryGetProperty("copy_storage", out _));

        Thread.Sleep(1100); // the next snapshot's id is the next second
        CliResult whole = CliProcess.Run("create", _dir.Data, "--json", "--lock-throughout");
        Assert.True(whole.ExitCode == 0, whole.ToString());
        using JsonDocument wholeJson = whole.Json();
        Assert.Equal(wholeJson.RootElement.GetProperty("total_ms").GetDouble(), wholeJson.RootElement.GetProperty("pause_ms").GetDouble());
        Assert.Equal(2, _dir.SnapshotIds().Length);
    }

    [Fact]
    public void Create_without_a_WAL_file_succeeds_and_reports_no_wal()
    {
        using var dir = new DataDirectory(withWal: false);

        CliResult result = CliProcess.Run("create", dir.Data, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = result.Json();
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("wal").ValueKind);
        Assert.Single(dir.SnapshotIds());
    }

    [Fact]
    public void Create_takes_storage_schemas_and_wal_from_the_override_options()
    {
        string elsewhere = Path.Join(_dir.Root, "elsewhere");
        Directory.CreateDirectory(Path.Join(elsewhere, "schemas", "only"));
        File.WriteAllBytes(Path.Join(elsewhere, "db.bin"), [1, 2, 3, 4, 5]);
        File.WriteAllText(Path.Join(elsewhere, "schemas", "only", "one.json"), "{}");
        File.WriteAllText(Path.Join(elsewhere, "my.wal"), "wal");

        CliResult result = CliProcess.Run(
            "create", _dir.Data,
            "--storage", Path.Join(elsewhere, "db.bin"),
            "--schemas", Path.Join(elsewhere, "schemas"),
            "--wal", Path.Join(elsewhere, "my.wal"),
            "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = result.Json();
        string snapshot = json.RootElement.GetProperty("snapshot_dir").GetString()!;
        Assert.Equal([1, 2, 3, 4, 5], File.ReadAllBytes(Path.Join(snapshot, "storage.dat")));
        Assert.True(File.Exists(Path.Join(snapshot, "schemas", "only", "one.json")));
        Assert.False(Directory.Exists(Path.Join(snapshot, "schemas", "users")));
        Assert.Equal(Path.Join(elsewhere, "my.wal"), json.RootElement.GetProperty("wal").GetString());
    }

    [Fact]
    public void Create_with_a_missing_storage_file_exits_3_with_the_AERO_code_on_stderr()
    {
        using var dir = new DataDirectory(withStorage: false);

        CliResult result = CliProcess.Run("create", dir.Data);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("AERO_SNAPSHOT_FAILED", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(dir.StoragePath, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Empty(dir.SnapshotIds());
    }

    [Fact]
    public void Create_failure_with_json_prints_the_AeroDB_error_payload_and_nothing_else()
    {
        using var dir = new DataDirectory(withStorage: false);

        CliResult result = CliProcess.Run("create", dir.Data, "--json");

        Assert.True(result.ExitCode == 3, result.ToString());
        using JsonDocument json = result.Json();
        JsonElement root = json.RootElement;
        Assert.Equal("AERO_SNAPSHOT_FAILED", root.GetProperty("code").GetString());
        Assert.Equal("ERROR", root.GetProperty("severity").GetString());
        Assert.Contains("does not exist", root.GetProperty("message").GetString(), StringComparison.Ordinal);
        JsonElement details = root.GetProperty("details");
        Assert.Equal(dir.StoragePath, details.GetProperty("path").GetString());
        Assert.Equal(2, details.GetProperty("errno").GetInt32());
        Assert.Equal("prepare", details.GetProperty("step").GetString());
        Assert.Contains("AERO_SNAPSHOT_FAILED", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_of_a_data_directory_that_does_not_exist_exits_3()
    {
        CliResult result = CliProcess.Run("create", Path.Join(_dir.Root, "no-such-dir"));

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("AERO_SNAPSHOT_FAILED", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("no-such-dir", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_with_a_wal_option_naming_a_missing_file_fails_instead_of_skipping_the_fsync()
    {
        CliResult result = CliProcess.Run("create", _dir.Data, "--wal", Path.Join(_dir.Root, "typo.log"), "--json");

        Assert.True(result.ExitCode == 3, result.ToString());
        using JsonDocument json = result.Json();
        Assert.Equal("sync_wal", json.RootElement.GetProperty("details").GetProperty("step").GetString());
        Assert.Empty(_dir.SnapshotIds());
    }

    [NeedsProgramsFact("flock")]
    public void Create_refuses_at_once_while_another_process_holds_the_data_directory_LOCK()
    {
        using (new LockHolder(_dir.LockPath))
        {
            CliResult refused = CliProcess.Run("create", _dir.Data, "--json");

            Assert.True(refused.ExitCode == 11, refused.ToString()); // the data directory is in use
            Assert.True(refused.Elapsed < TimeSpan.FromSeconds(20), "create waited for the lock instead of failing at once");
            using JsonDocument json = refused.Json();
            Assert.Equal("AERO_SNAPSHOT_FAILED", json.RootElement.GetProperty("code").GetString());
            Assert.Contains(_dir.LockPath, json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(_dir.LockPath, json.RootElement.GetProperty("details").GetProperty("path").GetString());
            Assert.Contains(_dir.LockPath, refused.Stderr, StringComparison.Ordinal);
            Assert.Empty(_dir.SnapshotIds());
        }

        // Once the holder is gone the lock is free again: nothing stale was left behind.
        CliResult after = CliProcess.Run("create", _dir.Data);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Single(_dir.SnapshotIds());
    }

    [Fact]
    public void Create_quiet_prints_nothing_on_stdout_and_no_progress_on_stderr()
    {
        CliResult result = CliProcess.Run("create", _dir.Data, "--quiet");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal(string.Empty, result.Stderr);
        Assert.Single(_dir.SnapshotIds());
    }

    [Fact]
    public void Create_draws_no_progress_bar_when_stderr_is_not_a_terminal()
    {
        using var dir = new DataDirectory(storageBytes: 16 * 1024 * 1024);

        CliResult result = CliProcess.Run("create", dir.Data);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(string.Empty, result.Stderr);
    }
}

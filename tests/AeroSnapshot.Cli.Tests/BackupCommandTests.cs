using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

/// <summary>checkpoint, backup, verify-backup, restore-backup and clean, run as the built tool.</summary>
public sealed class BackupCommandTests : IDisposable
{
    private readonly DataDirectory _dir = new(storageBytes: 2 * 1024 * 1024 + 77);
    private readonly byte[] _wal = FramedWal(6);

    public BackupCommandTests() => File.WriteAllBytes(WalPath, _wal);

    private string WalPath => Path.Join(_dir.Data, "wal", "wal.log");

    private string Archive => Path.Join(_dir.Root, "backup.tar");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Checkpoint_takes_a_snapshot_writes_the_marker_and_empties_the_wal()
    {
        CliResult result = CliProcess.Run("checkpoint", _dir.Data, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = result.Json();
        string id = json.RootElement.GetProperty("snapshot_id").GetString()!;
        Assert.Equal([id], _dir.SnapshotIds());
        Assert.Equal(_wal.Length, json.RootElement.GetProperty("wal_bytes_dropped").GetInt64());
        Assert.Equal(0, new FileInfo(WalPath).Length);
        Assert.Contains($"\"snapshot_id\": \"{id}\"", File.ReadAllText(Path.Join(_dir.Data, "checkpoint.json")), StringComparison.Ordinal);
        Assert.Equal(0, CliProcess.Run("verify", _dir.SnapshotPath(id)).ExitCode);
    }

    [Fact]
    public void Checkpoint_refuses_while_another_process_holds_the_LOCK_and_changes_nothing()
    {
        using var holder = new LockHolder(_dir.LockPath);

        CliResult result = CliProcess.Run("checkpoint", _dir.Data);

        Assert.True(result.ExitCode == 11, result.ToString()); // the data directory is in use
        Assert.Empty(_dir.SnapshotIds());
        Assert.Equal(_wal, File.ReadAllBytes(WalPath));
    }

    [Fact]
    public void A_reference_snapshots_unlisted_files_are_packed_and_named_as_unverified_in_text_and_json()
    {
        ReferenceSnapshotWriter.Write(_dir.Data, new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero), TimeSpan.FromSeconds(1));

        CliResult text = CliProcess.Run("backup", _dir.Data, "--output", Archive);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("2 files the manifest does not list packed unverified", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("schemas/orders/lines/line.v1.json", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("schemas/users/user.v1.json", text.Stdout, StringComparison.Ordinal);

        CliResult json = CliProcess.Run("backup", _dir.Data, "--output", Archive + ".2", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using JsonDocument document = json.Json();
        Assert.Equal(
            ["schemas/orders/lines/line.v1.json", "schemas/users/user.v1.json"],
            document.RootElement.GetProperty("unverified").EnumerateArray().Select(static e => e.GetString()));
        Assert.Empty(document.RootElement.GetProperty("left_out").EnumerateArray());
    }

    [Fact]
    public void A_backup_that_would_pair_an_older_snapshot_with_the_wal_after_a_checkpoint_exits_3_and_says_why()
    {
        string older = _dir.CreateSnapshot();
        Thread.Sleep(1100); // the checkpoint's snapshot gets the next second's id
        CliResult checkpoint = CliProcess.Run("checkpoint", _dir.Data, "--json");
        Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
        string id;
        using (JsonDocument json = checkpoint.Json())
        {
            id = json.RootElement.GetProperty("snapshot_id").GetString()!;
        }

        File.WriteAllBytes(WalPath, FramedWal(3));
        Directory.Delete(_dir.SnapshotPath(id), recursive: true);

        CliResult result = CliProcess.Run("backup", _dir.Data, "--output", Archive, "--json");

        Assert.True(result.ExitCode == 3, result.ToString());
        using JsonDocument error = result.Json();
        Assert.Equal("AERO_SNAPSHOT_FAILED", error.RootElement.GetProperty("code").GetString());
        Assert.Equal("D1", error.RootElement.GetProperty("invariant").GetString());
        string message = error.RootElement.GetProperty("message").GetString()!;
        Assert.Contains($"continues snapshot {id}", message, StringComparison.Ordinal);
        Assert.Contains($"older snapshot {older}", message, StringComparison.Ordinal);
        Assert.False(File.Exists(Archive));
    }

    [Fact]
    public void A_failed_backup_removes_the_LOCK_it_created()
    {
        File.Delete(_dir.LockPath);

        CliResult result = CliProcess.Run("backup", _dir.Data, "--output", Archive); // no snapshot to back up

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.False(File.Exists(_dir.LockPath));
        Assert.False(File.Exists(Archive));
    }

    [Fact]
    public void A_checkpoint_refused_for_a_corrupt_wal_exits_1_with_the_offset_and_changes_nothing()
    {
        File.Delete(_dir.LockPath);
        byte[] torn = _wal[..^5];
        File.WriteAllBytes(WalPath, torn);

        CliResult result = CliProcess.Run("checkpoint", _dir.Data, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        using JsonDocument json = result.Json();
        Assert.Equal("AERO_WAL_CORRUPTION", json.RootElement.GetProperty("code").GetString());
        Assert.Equal("K2", json.RootElement.GetProperty("invariant").GetString());
        Assert.Contains("offset", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(torn, File.ReadAllBytes(WalPath));
        Assert.Empty(_dir.SnapshotIds());
        Assert.False(File.Exists(Path.Join(_dir.Data, "checkpoint.json")));
        Assert.False(File.Exists(_dir.LockPath));
    }

    [Fact]
    public void A_checkpoint_of_a_data_directory_without_a_wal_succeeds_but_a_missing_given_wal_is_refused()
    {
        File.Delete(WalPath);

        CliResult refused = CliProcess.Run("checkpoint", _dir.Data, "--wal", WalPath);
        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Empty(_dir.SnapshotIds());

        CliResult result = CliProcess.Run("checkpoint", _dir.Data, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = result.Json();
        Assert.Equal(0, json.RootElement.GetProperty("wal_bytes_dropped").GetInt64());
        Assert.Single(_dir.SnapshotIds());
        Assert.False(File.Exists(WalPath));
    }

    [Fact]
    public void Backup_then_verify_backup_then_restore_backup_round_trips_the_data_directory()
    {
        string id = _dir.CreateSnapshot();

        CliResult backup = CliProcess.Run("backup", _dir.Data, "--output", Archive, "--json");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        using (JsonDocument json = backup.Json())
        {
            Assert.Equal(id, json.RootElement.GetProperty("snapshot_id").GetString());
            Assert.True(json.RootElement.GetProperty("wal_present").GetBoolean());
        }

        CliResult verify = CliProcess.Run("verify-backup", Archive, "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        using (JsonDocument json = verify.Json())
        {
            Assert.Equal(6, json.RootElement.GetProperty("wal_records").GetInt64());
        }

        string target = Path.Join(_dir.Root, "target");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Join(target, "old-file"), "replaced");
        CliResult restore = CliProcess.Run("restore-backup", Archive, target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(File.ReadAllBytes(_dir.StoragePath), File.ReadAllBytes(Path.Join(target, "storage.dat")));
        Assert.Equal(_wal, File.ReadAllBytes(Path.Join(target, "wal", "wal.log")));
        Assert.Equal(File.ReadAllText(Path.Join(_dir.SchemasPath, "orders", "lines", "line.v1.json")), File.ReadAllText(Path.Join(target, "metadata", "schemas", "orders", "lines", "line.v1.json")));
        Assert.False(File.Exists(Path.Join(target, "old-file")));
        Assert.False(Directory.Exists(target + ".restore-backup-tmp"));
    }

    [Fact]
    public void Backup_never_overwrites_an_existing_file()
    {
        _dir.CreateSnapshot();
        File.WriteAllText(Archive, "precious");

        CliResult result = CliProcess.Run("backup", _dir.Data, "--output", Archive);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("AERO_SNAPSHOT_FAILED", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(Archive));
    }

    [Fact]
    public void Backup_without_output_is_a_usage_error()
    {
        CliResult result = CliProcess.Run("backup", _dir.Data);

        Assert.True(result.ExitCode == 2, result.ToString());
    }

    [Fact]
    public void A_corrupt_archive_exits_1_on_verify_and_restore_and_leaves_the_data_directory_untouched()
    {
        _dir.CreateSnapshot();
        Assert.Equal(0, CliProcess.Run("backup", _dir.Data, "--output", Archive).ExitCode);
        byte[] bytes = File.ReadAllBytes(Archive);
        bytes[4 * 512 + 100_000] ^= 1; // inside storage.dat's data
        File.WriteAllBytes(Archive, bytes);
        string target = Path.Join(_dir.Root, "target");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Join(target, "keep"), "kept");

        CliResult verify = CliProcess.Run("verify-backup", Archive, "--json");
        CliResult restore = CliProcess.Run("restore-backup", Archive, target);

        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains("AERO_DATA_CORRUPTION", verify.Stderr, StringComparison.Ordinal);
        Assert.True(restore.ExitCode == 1, restore.ToString());
        Assert.Equal(["keep"], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
        Assert.False(Directory.Exists(target + ".restore-backup-tmp"));
    }

    [Fact]
    public void A_bad_wal_record_exits_1_with_wal_corruption()
    {
        _dir.CreateSnapshot();
        Assert.Equal(0, CliProcess.Run("backup", _dir.Data, "--output", Archive).ExitCode);
        List<byte> bytes = [.. File.ReadAllBytes(Archive)];
        int wal = IndexOf(bytes, _wal);
        bytes[wal + 20] ^= 0x10;
        File.WriteAllBytes(Archive, [.. bytes]);

        CliResult verify = CliProcess.Run("verify-backup", Archive);

        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains("AERO_WAL_CORRUPTION", verify.Stderr, StringComparison.Ordinal);
        Assert.Contains("offset 0", verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_backup_refuses_while_the_database_holds_the_LOCK()
    {
        _dir.CreateSnapshot();
        Assert.Equal(0, CliProcess.Run("backup", _dir.Data, "--output", Archive).ExitCode);
        using var holder = new LockHolder(_dir.LockPath);

        CliResult result = CliProcess.Run("restore-backup", Archive, _dir.Data);

        Assert.True(result.ExitCode == 11, result.ToString()); // the data directory is in use
        Assert.Contains("in use", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(_wal, File.ReadAllBytes(WalPath));
    }

    [Fact]
    public void Clean_finishes_an_interrupted_restore_backup_by_removing_its_temporary_directory()
    {
        string temporary = _dir.Data + ".restore-backup-tmp";
        Directory.CreateDirectory(Path.Join(temporary, "data"));
        File.WriteAllText(Path.Join(temporary, "data", "storage.dat"), "half");

        CliResult result = CliProcess.Run("clean", _dir.Data, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(Directory.Exists(temporary));
        Assert.Contains("undone", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(_wal, File.ReadAllBytes(WalPath));
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Count; i++)
        {
            if (haystack.Skip(i).Take(needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        throw new InvalidOperationException("not found");
    }

    /// <summary>A WAL of <paramref name="records"/> records in AeroDB's record format (BACKUP-CHECKPOINT.md §4), numbered from 1.</summary>
    internal static byte[] FramedWal(int records) => AeroDbWal.Valid(records);
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

/// <summary>
/// The tool on data directories as AeroDB leaves them: one its own restore wrote (storage under
/// <c>data/</c>), one it marks as running (<c>.lock</c>), one owned by its service account and kept
/// private; and a WAL path that is not a file (issues 24 and 25).
/// </summary>
public sealed class LivingBesideAeroDbCommandTests : IDisposable
{
    private static readonly DateTimeOffset ReferenceInstant = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly DataDirectory _dir = new(storageBytes: 200_000);

    public void Dispose() => _dir.Dispose();

    private string Archive => Path.Join(_dir.Root, "backup.tar");

    /// <summary>A second data directory beside the first, laid out as AeroDB's restore from a backup leaves it.</summary>
    private (string Directory, byte[] Storage, string SnapshotId) AeroDbRestored()
    {
        string directory = Path.Join(_dir.Root, "aerodb");
        Directory.CreateDirectory(directory);
        byte[] storage = Encoding.UTF8.GetBytes("storage AeroDB restored " + new string('r', 70_000));
        string id = AeroDbRestoredDirectory.Write(
            directory,
            storage,
            new Dictionary<string, string> { ["users.json"] = "{\"v\":1}", ["nested/x.json"] = "{}" },
            [],
            ReferenceInstant);
        return (directory, storage, id);
    }

    [Fact]
    public void A_directory_AeroDB_restored_is_snapshotted_backed_up_and_restored_with_its_storage_file_kept_under_data()
    {
        (string aerodb, byte[] storage, string referenceId) = AeroDbRestored();

        // create reads data/storage.dat, found from the directory itself.
        CliResult created = CliProcess.Run("create", aerodb, "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        string id;
        using (JsonDocument json = created.Json())
        {
            id = json.RootElement.GetProperty("snapshot_id").GetString()!;
            Assert.Equal(Path.Join(aerodb, "data", "storage.dat"), json.RootElement.GetProperty("storage").GetString());
        }

        Assert.Equal(storage, File.ReadAllBytes(Path.Join(aerodb, "snapshots", id, "storage.dat")));

        // The snapshot AeroDB restored verifies; backup packs the newest; restore-backup keeps data/.
        Assert.Equal(0, CliProcess.Run("verify", Path.Join(aerodb, "snapshots", referenceId)).ExitCode);
        CliResult backup = CliProcess.Run("backup", aerodb, "--output", Archive);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        File.WriteAllText(Path.Join(aerodb, "data", "storage.dat"), "changed after the backup");
        CliResult restoredBackup = CliProcess.Run("restore-backup", Archive, aerodb);
        Assert.True(restoredBackup.ExitCode == 0, restoredBackup.ToString());
        Assert.Equal(storage, File.ReadAllBytes(Path.Join(aerodb, "data", "storage.dat")));
        Assert.False(File.Exists(Path.Join(aerodb, "storage.dat")));

        // restore of a snapshot into it keeps data/ too; --storage-location says otherwise.
        string snapshot = Path.Join(_dir.SnapshotsPath, _dir.CreateSnapshot());
        CliResult restored = CliProcess.Run("restore", snapshot, aerodb);
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal(File.ReadAllBytes(_dir.StoragePath), File.ReadAllBytes(Path.Join(aerodb, "data", "storage.dat")));
        Assert.False(File.Exists(Path.Join(aerodb, "storage.dat")));

        CliResult moved = CliProcess.Run("restore", snapshot, aerodb, "--storage-location", "top");
        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.Equal(File.ReadAllBytes(_dir.StoragePath), File.ReadAllBytes(Path.Join(aerodb, "storage.dat")));
        Assert.False(Directory.Exists(Path.Join(aerodb, "data")));
    }

    [Fact]
    public void A_directory_with_both_storage_files_is_refused_naming_both_until_one_is_chosen()
    {
        (string aerodb, _, _) = AeroDbRestored();
        File.WriteAllText(Path.Join(aerodb, "storage.dat"), "which one?");

        CliResult refused = CliProcess.Run("create", aerodb);
        CliResult chosen = CliProcess.Run("create", aerodb, "--storage-location", "data", "--json");
        CliResult both = CliProcess.Run("create", aerodb, "--storage-location", "data", "--storage", Path.Join(aerodb, "storage.dat"));

        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Contains(Path.Join(aerodb, "storage.dat"), refused.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Join(aerodb, "data", "storage.dat"), refused.Stderr, StringComparison.Ordinal);
        Assert.True(chosen.ExitCode == 0, chosen.ToString());
        Assert.Equal(2, both.ExitCode);
    }

    [Theory]
    [InlineData("restore")]
    [InlineData("restore-backup")]
    [InlineData("checkpoint")]
    public void A_command_that_replaces_or_checkpoints_a_data_directory_refuses_while_AeroDB_running_marker_exists(string command)
    {
        string snapshot = Path.Join(_dir.SnapshotsPath, _dir.CreateSnapshot());
        File.WriteAllBytes(Path.Join(_dir.Data, "wal", "wal.log"), []);
        Assert.Equal(0, CliProcess.Run("backup", _dir.Data, "--output", Archive).ExitCode);
        string marker = Path.Join(_dir.Data, ".lock");
        File.WriteAllText(marker, string.Empty);
        File.WriteAllText(_dir.StoragePath, "the running database's storage");
        string[] snapshotsBefore = _dir.SnapshotIds();
        File.Delete(_dir.LockPath); // left by create and backup; a refused command must not make one

        CliResult result = command switch
        {
            "restore" => CliProcess.Run("restore", snapshot, _dir.Data, "--json"),
            "restore-backup" => CliProcess.Run("restore-backup", Archive, _dir.Data, "--json"),
            _ => CliProcess.Run("checkpoint", _dir.Data, "--json"),
        };

        Assert.True(result.ExitCode == 11, result.ToString()); // AeroDB runs there: the data directory is in use
        using JsonDocument json = result.Json();
        Assert.Equal(marker, json.RootElement.GetProperty("details").GetProperty("path").GetString());
        Assert.Contains(marker, json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("the running database's storage", File.ReadAllText(_dir.StoragePath));
        Assert.Equal(snapshotsBefore, _dir.SnapshotIds());
        Assert.False(File.Exists(_dir.LockPath), "a refused command left the LOCK it created");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Create_refuses_a_WAL_path_that_is_a_directory_and_says_what_it_is(bool given)
    {
        string wal = Path.Join(_dir.Data, "wal", "wal.log");
        File.Delete(wal);
        Directory.CreateDirectory(wal);

        CliResult result = given ? CliProcess.Run("create", _dir.Data, "--wal", wal) : CliProcess.Run("create", _dir.Data);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains($"'{wal}'{(given ? " given with --wal" : string.Empty)} is a directory", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(_dir.SnapshotIds());
    }

    [PrivilegedTheory]
    [InlineData("restore")]
    [InlineData("restore-backup")]
    public void Restores_run_as_root_leave_the_data_directory_to_its_owner_and_as_private_as_it_was(string command)
    {
        string snapshot = Path.Join(_dir.SnapshotsPath, _dir.CreateSnapshot());
        File.WriteAllBytes(Path.Join(_dir.Data, "wal", "wal.log"), []);
        Assert.Equal(0, CliProcess.Run("backup", _dir.Data, "--output", Archive).ExitCode);
        string target = Path.Join(_dir.Root, "owned");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Join(target, "storage.dat"), "old");
        ExternalCommand.Run("chown", "-R", "1000:65534", target);
        ExternalCommand.Run("chmod", "0700", target);
        ExternalCommand.Run("chmod", "0600", Path.Join(target, "storage.dat"));

        CliResult result = command == "restore"
            ? CliProcess.Run("restore", snapshot, target)
            : CliProcess.Run("restore-backup", Archive, target);

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] entries = ExternalCommand.Run("find", target, "-printf", "%P %U:%G %m\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(entries.Length > 5, string.Join('\n', entries));
        foreach (string entry in entries)
        {
            string[] fields = entry.Split(' ');
            Assert.True(fields[^2] == "1000:65534", $"not the owner's: {entry}");

            // LOCK keeps the mode of the one it replaces, which the command's own lock acquisition
            // created as AeroDB does (0644); the 0700 directory keeps it private.
            int mode = int.Parse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture);
            Assert.True(mode % 100 == 0 || fields[0] == "LOCK", $"readable beyond the owner: {entry}");
        }

        Assert.Contains(" 1000:65534 700", entries[0], StringComparison.Ordinal);
        Assert.Contains("storage.dat 1000:65534 600", entries, StringComparer.Ordinal);
    }
}

using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

/// <summary>
/// --dry-run on prune, clean, restore and restore-backup prints exactly what the real command then
/// deletes or replaces, and changes nothing: the whole tree around the data directory (modes, LOCK,
/// dot-names and the restore's sibling directories included) lists the same before and after.
/// </summary>
public sealed class DryRunCommandTests : IDisposable
{
    private const string Oldest = "20200101T000000Z";
    private const string Old = "20200102T000000Z";

    private readonly DataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(static e => e.GetString()!)];

    [Fact]
    public void Prune_dry_run_lists_what_prune_deletes_and_deletes_nothing()
    {
        string newest = _dir.CreateSnapshot();
        _dir.CloneSnapshot(newest, Oldest);
        _dir.CloneSnapshot(newest, Old);
        string[] before = TreeListing.Of(_dir.Root);

        CliResult dry = CliProcess.Run("prune", _dir.Data, "--keep", "1", "--dry-run", "--json");
        CliResult text = CliProcess.Run("prune", _dir.Data, "--keep", "1", "--dry-run");

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Equal(before, TreeListing.Of(_dir.Root));
        using JsonDocument preview = dry.Json();
        Assert.True(preview.RootElement.GetProperty("dry_run").GetBoolean());
        Assert.Equal([Oldest, Old], Strings(preview.RootElement.GetProperty("deleted")));
        Assert.Contains($"Would delete 2 snapshots: {Oldest}, {Old}", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("Nothing was deleted (--dry-run).", text.Stdout, StringComparison.Ordinal);

        CliResult real = CliProcess.Run("prune", _dir.Data, "--keep", "1", "--json");

        using JsonDocument done = real.Json();
        Assert.False(done.RootElement.GetProperty("dry_run").GetBoolean());
        Assert.Equal(Strings(preview.RootElement.GetProperty("deleted")), Strings(done.RootElement.GetProperty("deleted")));
        Assert.Equal([newest], _dir.SnapshotIds());
    }

    [Fact]
    public void Prune_dry_run_without_a_LOCK_file_leaves_none()
    {
        string newest = _dir.CreateSnapshot();
        _dir.CloneSnapshot(newest, Oldest);
        File.Delete(_dir.LockPath);
        string[] before = TreeListing.Of(_dir.Root);

        CliResult dry = CliProcess.Run("prune", _dir.Data, "--keep-daily", "1", "--dry-run");

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Equal(before, TreeListing.Of(_dir.Root));
    }

    [Fact]
    public void Clean_dry_run_lists_the_leftovers_clean_removes_or_finishes_and_changes_nothing()
    {
        string id = _dir.CreateSnapshot();
        string staging = Path.Join(_dir.SnapshotsPath, ".staging-" + Oldest);
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Join(staging, "storage.dat"), "half a copy");
        Directory.CreateDirectory(Path.Join(_dir.SnapshotsPath, ".deleting-" + Old));

        // An interrupted restore's build beside the data directory, and an interrupted restore from a backup's.
        string restoreSibling = Path.Join(_dir.Root, ".data.restore-20200104T000000Z");
        Directory.CreateDirectory(restoreSibling);
        File.WriteAllText(Path.Join(restoreSibling, "storage.dat"), "a build that never got swapped in");
        string backupTemporary = _dir.Data + ".restore-backup-tmp";
        Directory.CreateDirectory(Path.Join(backupTemporary, "data"));
        string[] before = TreeListing.Of(_dir.Root);

        CliResult dry = CliProcess.Run("clean", _dir.Data, "--dry-run", "--json");
        CliResult text = CliProcess.Run("clean", _dir.Data, "--dry-run");

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Equal(before, TreeListing.Of(_dir.Root));
        Assert.Contains("Would remove or finish 4 leftovers (--dry-run: nothing was changed):", text.Stdout, StringComparison.Ordinal);
        using JsonDocument preview = dry.Json();
        Assert.True(preview.RootElement.GetProperty("dry_run").GetBoolean());
        string[] previewed = [.. Strings(preview.RootElement.GetProperty("removed")).Select(Name)];
        Assert.Equal([".data.restore-20200104T000000Z", "data.restore-backup-tmp", ".deleting-" + Old, ".staging-" + Oldest], previewed.Take(2).Concat(previewed.Skip(2).Order(StringComparer.Ordinal)));

        CliResult real = CliProcess.Run("clean", _dir.Data, "--json");

        using JsonDocument done = real.Json();
        Assert.Equal(previewed, Strings(done.RootElement.GetProperty("removed")).Select(Name));
        Assert.False(Directory.Exists(staging));
        Assert.False(Directory.Exists(restoreSibling));
        Assert.False(Directory.Exists(backupTemporary));
        Assert.Equal([id], _dir.SnapshotIds());
    }

    /// <summary>The name a clean-up line is about (what follows in parentheses says what was done).</summary>
    private static string Name(string handled) => handled.Split(' ')[0];

    [Fact]
    public void Restore_dry_run_lists_what_restore_replaces_keeps_and_deletes_and_changes_nothing()
    {
        string id = _dir.CreateSnapshot();
        string target = Path.Join(_dir.Root, "target");
        Directory.CreateDirectory(Path.Join(target, "wal"));
        Directory.CreateDirectory(Path.Join(target, "metadata", "other"));
        Directory.CreateDirectory(Path.Join(target, "snapshots"));
        File.WriteAllText(Path.Join(target, "wal", "wal.log"), "records after the snapshot");
        File.WriteAllText(Path.Join(target, "storage.dat"), "the target's own data");
        File.WriteAllText(Path.Join(target, "checkpoint.json"), "{}");
        File.WriteAllText(Path.Join(target, "notes.txt"), "an operator's notes");
        File.SetUnixFileMode(Path.Join(target, "notes.txt"), UnixFileMode.UserRead);
        string[] before = TreeListing.Of(_dir.Root);

        CliResult dry = CliProcess.Run("restore", _dir.SnapshotPath(id), target, "--dry-run", "--json");
        CliResult text = CliProcess.Run("restore", _dir.SnapshotPath(id), target, "--dry-run");

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(before, TreeListing.Of(_dir.Root)); // no LOCK made in the target, no sibling left
        using JsonDocument preview = dry.Json();
        JsonElement root = preview.RootElement;
        Assert.True(root.GetProperty("dry_run").GetBoolean());
        Assert.Equal(["storage.dat", "metadata/schemas", "wal/wal.log"], Strings(root.GetProperty("replaced")));
        Assert.Equal(["snapshots"], Strings(root.GetProperty("carried_over")));
        Assert.Equal(["checkpoint.json", "metadata/other", "notes.txt"], Strings(root.GetProperty("discarded")));
        Assert.Contains("delete   checkpoint.json, metadata/other, notes.txt", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", text.Stdout, StringComparison.Ordinal);

        CliResult real = CliProcess.Run("restore", _dir.SnapshotPath(id), target, "--json");

        Assert.True(real.ExitCode == 0, real.ToString());
        using JsonDocument done = real.Json();
        Assert.Equal(Strings(root.GetProperty("discarded")), Strings(done.RootElement.GetProperty("discarded")));
    }

    [Fact]
    public void Restore_dry_run_of_a_corrupt_snapshot_fails_as_the_restore_would_and_changes_nothing()
    {
        string id = _dir.CreateSnapshot();
        _dir.CorruptByte(id);
        string target = Path.Join(_dir.Root, "target");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Join(target, "storage.dat"), "the target's own data");
        string[] before = TreeListing.Of(_dir.Root);

        CliResult dry = CliProcess.Run("restore", _dir.SnapshotPath(id), target, "--dry-run", "--json");

        Assert.True(dry.ExitCode == 1, dry.ToString());
        using JsonDocument error = dry.Json();
        Assert.Equal("AERO_DATA_CORRUPTION", error.RootElement.GetProperty("code").GetString());
        Assert.Equal(before, TreeListing.Of(_dir.Root));
    }

    [Fact]
    public void Restore_backup_dry_run_checks_the_archive_lists_what_it_deletes_and_changes_nothing()
    {
        _dir.CreateSnapshot();
        string archive = Path.Join(_dir.Root, "backup.tar");
        Assert.Equal(0, CliProcess.Run("backup", _dir.Data, "--output", archive).ExitCode);
        string target = Path.Join(_dir.Root, "target");
        Directory.CreateDirectory(Path.Join(target, "snapshots"));
        File.WriteAllText(Path.Join(target, "storage.dat"), "the target's own data");
        File.WriteAllText(Path.Join(target, "keep"), "not kept: a restore from a backup keeps nothing");
        string[] before = TreeListing.Of(_dir.Root);

        CliResult dry = CliProcess.Run("restore-backup", archive, target, "--dry-run", "--json");
        CliResult text = CliProcess.Run("restore-backup", archive, target, "--dry-run");

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(before, TreeListing.Of(_dir.Root)); // no LOCK, no .restore-backup-tmp
        using JsonDocument preview = dry.Json();
        Assert.True(preview.RootElement.GetProperty("dry_run").GetBoolean());
        Assert.Equal(["keep", "snapshots", "storage.dat"], Strings(preview.RootElement.GetProperty("discarded")));
        Assert.Equal(["storage.dat", "metadata/schemas", "wal/wal.log"], Strings(preview.RootElement.GetProperty("replaced")));
        Assert.Contains("delete   keep, snapshots, storage.dat", text.Stdout, StringComparison.Ordinal);

        CliResult real = CliProcess.Run("restore-backup", archive, target);

        Assert.True(real.ExitCode == 0, real.ToString());
        Assert.False(File.Exists(Path.Join(target, "keep")));
        Assert.Equal(File.ReadAllBytes(_dir.StoragePath), File.ReadAllBytes(Path.Join(target, "storage.dat")));
    }

    [Fact]
    public void Restore_backup_dry_run_of_a_damaged_archive_exits_1_and_changes_nothing()
    {
        _dir.CreateSnapshot();
        string archive = Path.Join(_dir.Root, "backup.tar");
        Assert.Equal(0, CliProcess.Run("backup", _dir.Data, "--output", archive).ExitCode);
        byte[] bytes = File.ReadAllBytes(archive);
        bytes[4096] ^= 0xFF; // inside storage.dat's content
        File.WriteAllBytes(archive, bytes);
        string target = Path.Join(_dir.Root, "target");
        Directory.CreateDirectory(target);
        string[] before = TreeListing.Of(_dir.Root);

        CliResult dry = CliProcess.Run("restore-backup", archive, target, "--dry-run");

        Assert.True(dry.ExitCode == 1, dry.ToString());
        Assert.Equal(before, TreeListing.Of(_dir.Root));
    }

    [Fact]
    public void Dry_run_is_offered_by_prune_clean_restore_and_restore_backup()
    {
        foreach (string command in new[] { "prune", "clean", "restore", "restore-backup" })
        {
            Assert.Contains("--dry-run", CliProcess.Run(command, "--help").Stdout, StringComparison.Ordinal);
        }
    }
}

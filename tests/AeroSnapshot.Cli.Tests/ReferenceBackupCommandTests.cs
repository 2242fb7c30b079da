using System.Formats.Tar;
using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

/// <summary>
/// verify-backup and restore-backup, run as the built tool, on backup archives AeroDB's own code
/// wrote and on GNU tar's and Python's re-packs of one (scripts/aerodb-fixtures/backups.sh).
/// </summary>
public sealed class ReferenceBackupCommandTests : IDisposable
{
    private static readonly string Fixtures = Path.Join(AppContext.BaseDirectory, "Fixtures", "AeroDB", "backups");
    private readonly string _root = Path.Join(Path.GetTempPath(), "aerosnap-cli-tests-" + Guid.NewGuid().ToString("N"));

    public ReferenceBackupCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("nested.tar", 3, 1)]
    [InlineData("mvcc.tar", 1, 1)]
    [InlineData("long-names.tar", 2, 2)]
    [InlineData("gnutar-pax.tar", 2, 2)]
    [InlineData("gnutar-gnu.tar", 2, 2)]
    [InlineData("python-pax.tar", 2, 2)]
    [InlineData("python-gnu.tar", 2, 2)]
    public void An_archive_AeroDB_wrote_or_a_tool_repacked_verifies_and_restores(string name, int walRecords, int unverified)
    {
        string archive = Path.Join(Fixtures, name);
        string target = Path.Join(_root, "data");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Join(target, "storage.dat"), "old");

        CliResult verify = CliProcess.Run("verify-backup", archive, "--json");
        CliResult restore = CliProcess.Run("restore-backup", archive, target);

        Assert.True(verify.ExitCode == 0, verify.ToString());
        using (JsonDocument json = verify.Json())
        {
            JsonElement root = json.RootElement;
            Assert.Equal(root.GetProperty("snapshot_id").GetString(), root.GetProperty("backup_id").GetString());
            Assert.Equal(walRecords, root.GetProperty("wal_records").GetInt32());
            Assert.Equal(unverified, root.GetProperty("unverified").GetArrayLength());
        }

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains("not listed in the snapshot manifest", restore.Stdout, StringComparison.Ordinal);
        Assert.Equal(Member(archive, "snapshot/storage.dat"), File.ReadAllBytes(Path.Join(target, "storage.dat")));
        Assert.Equal(Member(archive, "wal/wal.log"), File.ReadAllBytes(Path.Join(target, "wal", "wal.log")));
        Assert.Equal(Member(archive, "snapshot/schemas/orders/v2/orders.json"), File.ReadAllBytes(Path.Join(target, "metadata", "schemas", "orders", "v2", "orders.json")));
        Assert.False(Directory.Exists(target + ".restore-backup-tmp"));
    }

    [Fact]
    public void A_reference_archive_with_a_damaged_header_is_refused_by_both_commands_as_gnu_tar_refuses_it()
    {
        byte[] bytes = File.ReadAllBytes(Path.Join(Fixtures, "nested.tar"));
        bytes[100] ^= 1; // the first header's mode field: nothing but its checksum can tell
        string archive = Path.Join(_root, "damaged.tar");
        File.WriteAllBytes(archive, bytes);
        string target = Path.Join(_root, "data");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Join(target, "storage.dat"), "old");

        CliResult verify = CliProcess.Run("verify-backup", archive);
        CliResult restore = CliProcess.Run("restore-backup", archive, target);
        (int tarExit, string tarOutput) = ExternalCommand.TryRun("tar", "-tf", archive);

        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains("is damaged: its checksum field says", verify.Stderr, StringComparison.Ordinal);
        Assert.True(restore.ExitCode == 1, restore.ToString());
        Assert.Equal("old", File.ReadAllText(Path.Join(target, "storage.dat")));
        Assert.True(tarExit != 0, $"GNU tar accepted it: {tarOutput}");
    }

    private static byte[] Member(string archive, string name)
    {
        using FileStream stream = File.OpenRead(archive);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name == name)
            {
                using var data = new MemoryStream();
                entry.DataStream?.CopyTo(data);
                return data.ToArray();
            }
        }

        throw new InvalidOperationException($"{name} is not in {archive}");
    }
}

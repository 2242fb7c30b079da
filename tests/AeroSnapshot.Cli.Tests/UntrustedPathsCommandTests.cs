using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

/// <summary>
/// Paths the tool did not choose: a <c>LOCK</c> that is a link is refused and its target never
/// created, a refused command leaves no <c>LOCK</c> behind, and a file name holding control
/// characters cannot forge a line of the tool's text output.
/// </summary>
public sealed class UntrustedPathsCommandTests : IDisposable
{
    private readonly DataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Create_refuses_a_dangling_LOCK_symlink_and_never_creates_its_target()
    {
        string target = Path.Join(_dir.Root, "planted-by-someone");
        File.CreateSymbolicLink(_dir.LockPath, target);

        CliResult result = CliProcess.Run("create", _dir.Data, "--json");

        Assert.True(result.ExitCode == 3, result.ToString());
        using JsonDocument document = result.Json();
        Assert.Equal(_dir.LockPath, document.RootElement.GetProperty("details").GetProperty("path").GetString());
        Assert.Contains("symbolic link", document.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(Path.Exists(target));
        Assert.Empty(_dir.SnapshotIds());
    }

    [Fact]
    public void A_restore_refused_because_metadata_is_a_symlink_leaves_no_LOCK_behind()
    {
        string id = _dir.CreateSnapshot();
        string target = Path.Join(_dir.Root, "target");
        Directory.CreateDirectory(target);
        Directory.CreateSymbolicLink(Path.Join(target, "metadata"), _dir.Root);

        CliResult result = CliProcess.Run("restore", _dir.SnapshotPath(id), target, "--json");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.False(File.Exists(Path.Join(target, "LOCK")));
        Assert.Equal(["metadata"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName));
    }

    [Fact]
    public void A_restore_into_a_symlinked_target_is_refused_and_creates_nothing_through_it()
    {
        string id = _dir.CreateSnapshot();
        string real = Path.Join(_dir.Root, "real");
        Directory.CreateDirectory(real);
        string link = Path.Join(_dir.Root, "link");
        Directory.CreateSymbolicLink(link, real);

        CliResult result = CliProcess.Run("restore", _dir.SnapshotPath(id), link);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("symbolic link", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(real));
    }

    [Fact]
    public void A_file_name_with_a_newline_cannot_forge_a_line_of_output_but_json_keeps_it_exact()
    {
        string id = _dir.CreateSnapshot();
        string schemas = Path.Join(_dir.SnapshotPath(id), "schemas");
        File.SetUnixFileMode(schemas, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        const string forged = "x\naerosnap: OK \u001b[2J";
        File.WriteAllText(Path.Join(schemas, forged), "{}");

        CliResult text = CliProcess.Run("verify", _dir.SnapshotPath(id));
        CliResult json = CliProcess.Run("verify", _dir.SnapshotPath(id), "--json");

        Assert.True(text.ExitCode == 1, text.ToString());
        string[] lines = (text.Stdout + text.Stderr).Split('\n');
        Assert.DoesNotContain(lines, static line => line.StartsWith("aerosnap: OK", StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', text.Stdout + text.Stderr);
        Assert.Contains("schemas/x\\naerosnap: OK \\e[2J", text.Stdout, StringComparison.Ordinal);
        using JsonDocument document = json.Json();
        Assert.Contains(
            document.RootElement.GetProperty("details").GetProperty("report").GetProperty("problems").EnumerateArray(),
            p => p.GetProperty("file").GetString() == "schemas/" + forged);
    }
}

using System.Text.RegularExpressions;

namespace AeroSnapshot.Cli.Tests;

/// <summary>
/// aerosnap completion bash|zsh|fish: scripts generated from the command definitions. The bash one
/// is sourced in a real bash and its function called as bash's completion calls it (COMP_WORDS,
/// COMP_CWORD); zsh and fish are checked for shape here, and by the shells themselves where installed.
/// </summary>
public sealed partial class CompletionCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aerosnap-completion-").FullName;
    private readonly string _script;

    public CompletionCommandTests()
    {
        CliResult bash = CliProcess.Run("completion", "bash");
        Assert.True(bash.ExitCode == 0, bash.ToString());
        _script = Path.Join(_root, "aerosnap.bash");
        File.WriteAllText(_script, bash.Stdout);
        Directory.CreateDirectory(Path.Join(_root, "data-a"));
        Directory.CreateDirectory(Path.Join(_root, "data-b"));
        File.WriteAllText(Path.Join(_root, "backup.tar"), "x");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>COMPREPLY after completing the last of <paramref name="words"/>.</summary>
    private string[] Complete(params string[] words)
    {
        (int exitCode, string output) = ExternalCommand.TryRun(
            "bash",
            ["-c", "source \"$0\"; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _aerosnap; printf '%s\\n' \"${COMPREPLY[@]}\"", _script, .. words]);
        Assert.True(exitCode == 0, output);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }

    [NeedsProgramsFact("bash")]
    public void Bash_completes_commands_and_options()
    {
        Assert.Equal(["create"], Complete("aerosnap", "cre"));
        Assert.Equal(["restore", "restore-backup"], Complete("aerosnap", "resto"));
        Assert.Equal(["--keep-daily"], Complete("aerosnap", "prune", "/srv/db", "--keep-d"));
        Assert.Equal(["--dry-run"], Complete("aerosnap", "restore", "--dry"));
        Assert.Contains("--json", Complete("aerosnap", "verify", "--"));
        Assert.Equal(["data", "top"], Complete("aerosnap", "restore", "/a", "/b", "--storage-location", ""));
        Assert.Equal(["bash"], Complete("aerosnap", "completion", "ba"));

        // --help takes no value: the word after it is still a command's argument.
        Assert.Equal([Path.Join(_root, "data-a"), Path.Join(_root, "data-b")], Complete("aerosnap", "verify", "--help", _root + "/d"));
    }

    [NeedsProgramsFact("bash")]
    public void Bash_completes_directories_for_directory_arguments_and_files_for_file_arguments()
    {
        string prefix = _root + "/";
        Assert.Equal([Path.Join(_root, "data-a"), Path.Join(_root, "data-b")], Complete("aerosnap", "verify", prefix + "d"));

        // restore-backup <file> <data-dir>: a file first, then a directory (an option's value skipped).
        Assert.Equal([Path.Join(_root, "backup.tar")], Complete("aerosnap", "restore-backup", prefix + "b"));
        Assert.Equal(
            [Path.Join(_root, "data-a"), Path.Join(_root, "data-b")],
            Complete("aerosnap", "restore-backup", "--storage-location", "top", Path.Join(_root, "backup.tar"), prefix + "d"));
        Assert.Equal([Path.Join(_root, "backup.tar")], Complete("aerosnap", "create", "/srv/db", "--wal", prefix + "b"));
    }

    [NeedsProgramsFact("bash")]
    public void Bash_offers_no_Windows_style_options()
    {
        string[] offered = [.. Complete("aerosnap", ""), .. Complete("aerosnap", "-"), .. Complete("aerosnap", "list", "-"), .. Complete("aerosnap", "/")];

        Assert.DoesNotContain(offered, static word => word.StartsWith('/') && word.Length <= 2);
        Assert.DoesNotContain("/?", File.ReadAllText(_script), StringComparison.Ordinal);
        Assert.DoesNotContain("/h", File.ReadAllText(_script), StringComparison.Ordinal);
    }

    [Fact]
    public void The_suggest_directive_offers_no_Windows_style_options_either()
    {
        CliResult result = CliProcess.Run("[suggest:10]", "aerosnap /");

        Assert.DoesNotContain("/?", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("/h", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zsh", "#compdef aerosnap")]
    [InlineData("fish", "# fish completion for aerosnap")]
    public void Zsh_and_fish_scripts_name_every_command_and_option_and_quote_properly(string shell, string firstLine)
    {
        CliResult result = CliProcess.Run("completion", shell);
        CliResult help = CliProcess.Run("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith(firstLine, result.Stdout, StringComparison.Ordinal);
        foreach (string command in CommandNames(help.Stdout))
        {
            Assert.Contains(command, result.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains(shell == "zsh" ? "--keep-monthly" : "-l keep-monthly", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(shell == "zsh" ? "_files -/" : "__fish_complete_directories", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("/?", result.Stdout, StringComparison.Ordinal);
        // --help takes no value.
        Assert.DoesNotContain(result.Stdout.Split('\n'), line => line.Contains(shell == "zsh" ? "{--help,-h}" : "-l help", StringComparison.Ordinal)
            && line.Contains(shell == "zsh" ? "]:" : " -r", StringComparison.Ordinal));
        foreach (string line in result.Stdout.Split('\n'))
        {
            // Quotes balance on every line: escaped quotes aside, an even number of single quotes.
            string unescaped = line.Replace("'\\''", string.Empty, StringComparison.Ordinal).Replace("\\'", string.Empty, StringComparison.Ordinal);
            Assert.True(unescaped.Count(static c => c == '\'') % 2 == 0, $"unbalanced quotes: {line}");
        }
    }

    [NeedsProgramsTheory("zsh")]
    [InlineData("zsh")]
    public void Zsh_parses_its_script(string shell) => ShellParses(shell, "-n");

    [NeedsProgramsTheory("fish")]
    [InlineData("fish")]
    public void Fish_parses_its_script(string shell) => ShellParses(shell, "--no-execute");

    [Fact]
    public void Completion_refuses_an_unknown_shell()
    {
        Assert.Equal(2, CliProcess.Run("completion", "powershell").ExitCode);
    }

    private void ShellParses(string shell, string noExecute)
    {
        string script = Path.Join(_root, "aerosnap." + shell);
        File.WriteAllText(script, CliProcess.Run("completion", shell).Stdout);
        (int exitCode, string output) = ExternalCommand.TryRun(shell, noExecute, script);
        Assert.True(exitCode == 0, output);
    }

    private static IEnumerable<string> CommandNames(string help)
    {
        string commands = help[help.IndexOf("Commands:", StringComparison.Ordinal)..help.IndexOf("Exit codes:", StringComparison.Ordinal)];
        return CommandLine().Matches(commands).Select(static m => m.Groups[1].Value);
    }

    [GeneratedRegex(@"^  ([a-z][a-z-]+)", RegexOptions.Multiline)]
    private static partial Regex CommandLine();
}

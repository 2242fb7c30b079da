namespace AeroSnapshot.Cli.Tests;

/// <summary>aerosnap(1), generated from the command definitions: the committed docs/aerosnap.1 is exactly what the tool prints.</summary>
public sealed class ManPageTests
{
    private static string Committed => Path.Join(AppContext.BaseDirectory, "docs", "aerosnap.1");

    [Fact]
    public void The_committed_man_page_is_what_the_tool_generates()
    {
        CliResult result = CliProcess.Run("man");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(
            File.ReadAllText(Committed) == result.Stdout,
            "docs/aerosnap.1 is stale: regenerate it with 'dotnet run --project src/AeroSnapshot.Cli -- man > docs/aerosnap.1'");
    }

    [Fact]
    public void The_man_page_documents_every_command_option_and_exit_code()
    {
        string page = CliProcess.Run("man").Stdout;

        Assert.StartsWith(".\\\" Generated", page, StringComparison.Ordinal);
        Assert.Contains(".TH AEROSNAP 1", page, StringComparison.Ordinal);
        foreach (string command in new[] { "create", "verify", "list", "newest", "clean", "prune", "restore", "checkpoint", "backup", "verify-backup", "restore-backup", "demo", "completion", "man" })
        {
            Assert.Contains($".SS \"aerosnap {command.Replace("-", "\\-", StringComparison.Ordinal)} ", page, StringComparison.Ordinal);
        }

        Assert.Contains("\\fB\\-\\-keep\\-monthly\\fR", page, StringComparison.Ordinal);
        Assert.Contains("\\fB\\-\\-lock\\-wait\\fR", page, StringComparison.Ordinal);
        Assert.Contains(".B 11\n", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/?", page, StringComparison.Ordinal);
    }

    [NeedsProgramsFact("groff")]
    public void Groff_renders_it_without_a_warning()
    {
        (int exitCode, string output) = ExternalCommand.TryRun("groff", "-man", "-Tutf8", "-ww", "-z", Committed);

        Assert.True(exitCode == 0 && output.Length == 0, output);
    }
}

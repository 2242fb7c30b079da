using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

public sealed class UsageTests
{
    public static TheoryData<string> Commands => new() { "create", "verify", "list", "newest", "clean", "prune", "restore", "checkpoint", "backup", "verify-backup", "restore-backup", "demo", "completion", "man" };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_has_help_that_documents_the_exit_codes(string command)
    {
        CliResult result = CliProcess.Run(command, "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"aerosnap {command}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--json", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--quiet", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Exit codes:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("3  the operation failed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Root_help_lists_every_command()
    {
        CliResult result = CliProcess.Run("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (string command in Commands)
        {
            Assert.Contains(command, result.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("Exit codes:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_suggest_directive_gives_the_shell_the_completions_of_the_word_being_typed()
    {
        CliResult command = CliProcess.Run("[suggest:12]", "aerosnap cre");
        CliResult option = CliProcess.Run("[suggest:18]", "aerosnap demo --si");

        Assert.True(command.ExitCode == 0, command.ToString());
        Assert.Equal("create", command.Stdout.Trim());
        Assert.True(option.ExitCode == 0, option.ToString());
        Assert.Equal("--size", option.Stdout.Trim());
    }

    [Fact]
    public void Demo_help_shows_the_default_size_in_the_units_people_type()
    {
        CliResult result = CliProcess.Run("demo", "--help");

        Assert.Contains("[default: 256MiB]", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("268435456", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Clean_help_says_it_finishes_or_undoes_an_interrupted_restore()
    {
        CliResult result = CliProcess.Run("clean", "--help");

        Assert.Contains("finishes or undoes a restore", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_argument_exits_2_and_points_at_help()
    {
        CliResult result = CliProcess.Run("create");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("aerosnap create --help", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public void No_command_exits_2()
    {
        Assert.Equal(2, CliProcess.Run().ExitCode);
    }

    [Theory]
    [InlineData(new[] { "crete" }, "'create'")]
    [InlineData(new[] { "verfy", "/srv/db" }, "'verify'")]
    [InlineData(new[] { "restor-backup" }, "'restore-backup'")]
    [InlineData(new[] { "list", "/srv/db", "--verfy" }, "'--verify'")]
    [InlineData(new[] { "prune", "/srv/db", "--keep-dayly", "3" }, "'--keep-daily'")]
    [InlineData(new[] { "create", "/srv/db", "--jsno" }, "'--json'")]
    public void A_typo_gets_a_did_you_mean_suggestion(string[] arguments, string suggestion)
    {
        CliResult result = CliProcess.Run(arguments);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"Did you mean {suggestion}?", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_word_far_from_every_name_gets_no_suggestion_and_json_lists_the_suggestions()
    {
        CliResult far = CliProcess.Run("snapshot-everything");
        CliResult near = CliProcess.Run("prune", "/srv/db", "--keep-weakly", "2", "--json");

        Assert.DoesNotContain("Did you mean", far.Stderr, StringComparison.Ordinal);
        using JsonDocument json = near.Json();
        Assert.Equal(["--keep-weekly"], json.RootElement.GetProperty("details").GetProperty("suggestions").EnumerateArray().Select(static e => e.GetString()));
    }

    [Fact]
    public void An_unknown_command_or_option_exits_2()
    {
        Assert.Equal(2, CliProcess.Run("snapshot-everything").ExitCode);
        Assert.Equal(2, CliProcess.Run("list", "/tmp", "--no-such-option").ExitCode);
    }

    [Theory]
    [InlineData("12XB")]
    [InlineData("1.5GiB")]
    [InlineData("64MB")]
    [InlineData("-4096")]
    public void An_invalid_size_exits_2_and_names_the_accepted_forms(string size)
    {
        CliResult result = CliProcess.Run("demo", "--size", size);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("KiB, MiB or GiB", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Prune_without_keep_or_with_keep_below_1_exits_2()
    {
        Assert.Equal(2, CliProcess.Run("prune", "/tmp").ExitCode);
        Assert.Equal(2, CliProcess.Run("prune", "/tmp", "--keep", "0").ExitCode);
        Assert.Equal(2, CliProcess.Run("prune", "/tmp", "--keep", "many").ExitCode);
    }

    [Fact]
    public void A_usage_error_with_json_prints_one_error_document()
    {
        CliResult result = CliProcess.Run("verify", "--json");

        Assert.True(result.ExitCode == 2, result.ToString());
        using JsonDocument json = result.Json();
        Assert.Equal("AERO_CLI_USAGE", json.RootElement.GetProperty("code").GetString());
        Assert.Equal("ERROR", json.RootElement.GetProperty("severity").GetString());
        Assert.NotEmpty(json.RootElement.GetProperty("details").GetProperty("errors").EnumerateArray());
    }
}

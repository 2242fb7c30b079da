using System.Diagnostics;

namespace AeroSnapshot.Cli.Tests;

/// <summary>
/// Tables keep Unicode box drawing only for a terminal that can show it: a pipe, TERM=dumb or a
/// non-UTF-8 locale (LANG=C) get plain ASCII. The terminal cases run the tool under util-linux
/// <c>script</c>, which gives it a pseudo-terminal as stdout.
/// </summary>
public sealed class TableOutputTests : IDisposable
{
    private readonly DataDirectory _dir = new();

    public TableOutputTests() => _dir.CreateSnapshot();

    public void Dispose() => _dir.Dispose();

    private static bool IsAscii(string text) => text.All(static c => c < 0x80);

    [Fact]
    public void A_piped_table_is_plain_ASCII_even_for_a_capable_terminal_type_and_locale()
    {
        CliResult result = CliProcess.Run(
            new Dictionary<string, string> { ["TERM"] = "xterm-256color", ["LANG"] = "C.UTF-8", ["LC_ALL"] = "C.UTF-8" },
            "list", _dir.Data);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("+--", result.Stdout, StringComparison.Ordinal);
        Assert.True(IsAscii(result.Stdout), result.Stdout);
        Assert.DoesNotContain("\u001b[", result.Stdout, StringComparison.Ordinal);
    }

    [NeedsProgramsFact("script")]
    public void A_UTF8_terminal_gets_box_drawing()
    {
        string screen = OnTerminal("xterm-256color", "C.UTF-8");

        Assert.Contains("─", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("+--", screen, StringComparison.Ordinal);
    }

    [NeedsProgramsFact("script")]
    public void A_dumb_terminal_gets_ASCII_and_no_escape_sequences()
    {
        string screen = OnTerminal("dumb", "C.UTF-8");

        Assert.Contains("+--", screen, StringComparison.Ordinal);
        Assert.True(IsAscii(screen), screen);
        Assert.DoesNotContain("\u001b", screen, StringComparison.Ordinal);
    }

    [NeedsProgramsFact("script")]
    public void A_terminal_in_the_C_locale_gets_ASCII()
    {
        string screen = OnTerminal("xterm-256color", "C");

        Assert.Contains("+--", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("─", screen, StringComparison.Ordinal);
    }

    /// <summary>What <c>aerosnap list</c> printed with a pseudo-terminal as stdout, TERM and LANG as given.</summary>
    private string OnTerminal(string term, string lang)
    {
        string command = string.Join(' ', ((string[])[CliProcess.FileName, .. CliProcess.LeadingArguments, "list", _dir.Data]).Select(Quote));
        ProcessStartInfo start = CliProcess.StartInfo("script", ["--quiet", "--return", "--command", command, "/dev/null"]);
        start.Environment["TERM"] = term;
        start.Environment["LANG"] = lang;
        start.Environment["LC_ALL"] = string.Empty;
        start.Environment["LC_CTYPE"] = string.Empty;
        start.Environment.Remove("NO_COLOR");
        ProcessOutput output = ExternalCommand.Capture(start, TimeSpan.FromMinutes(2));
        Assert.True(output.ExitCode == 0, $"exit {output.ExitCode}\n{output.Stdout}\n{output.Stderr}");
        Assert.Contains(Path.GetFileName(_dir.SnapshotsPath), output.Stdout, StringComparison.Ordinal);
        return output.Stdout;
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using AeroSnapshot.Fast;
using Spectre.Console;

namespace AeroSnapshot.Cli.Output;

/// <summary>
/// Where a command's output goes, and in which form. Text for people on stdout, or with
/// <c>--json</c> exactly one JSON document on stdout and nothing else; errors and warnings on
/// stderr; progress on stderr only when it is a terminal and neither <c>--json</c> nor
/// <c>--quiet</c> was given.
/// </summary>
internal sealed class CliOutput
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly bool _stderrIsTerminal;
    private IAnsiConsole? _tableConsole;
    private bool _jsonWritten;

    public CliOutput(bool json, bool quiet, TextWriter stdout, TextWriter stderr, bool stderrIsTerminal)
    {
        Json = json;
        Quiet = quiet;
        _stdout = stdout;
        _stderr = stderr;
        _stderrIsTerminal = stderrIsTerminal;
    }

    /// <summary><c>--json</c>: one JSON document on stdout.</summary>
    public bool Json { get; }

    /// <summary><c>--quiet</c>: nothing on stdout but the JSON document (with <c>--json</c>); errors still on stderr.</summary>
    public bool Quiet { get; }

    /// <summary>True when text for people is printed.</summary>
    public bool Text => !Json && !Quiet;

    /// <summary>True when a progress bar may be drawn on stderr.</summary>
    public bool ShowProgress => Text && _stderrIsTerminal;

    /// <summary>A line of text on stdout (text mode only).</summary>
    public void Line(string text = "")
    {
        if (Text)
        {
            _stdout.WriteLine(Printable.Escape(text));
        }
    }

    /// <summary>A warning on stderr (suppressed by <c>--quiet</c>).</summary>
    public void Warn(string text)
    {
        if (!Quiet)
        {
            _stderr.WriteLine($"aerosnap: warning: {Printable.Escape(text)}");
        }
    }

    /// <summary>An error line on stderr, always (even with <c>--quiet</c>): scripts look for the AERO_* code there.</summary>
    public void ErrorLine(string text) => _stderr.WriteLine($"aerosnap: {Printable.Escape(text)}");

    /// <summary>Renders a Spectre widget (a table) on stdout, in text mode only.</summary>
    public void Render(Spectre.Console.Rendering.IRenderable renderable)
    {
        if (!Text)
        {
            return;
        }

        if (_tableConsole is null)
        {
            bool redirected = Console.IsOutputRedirected;
            _tableConsole = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(_stdout),
                Interactive = InteractionSupport.No,

                // Spectre would colour a pipe too; a file or grep gets plain text.
                Ansi = redirected || Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 } ? AnsiSupport.No : AnsiSupport.Detect,
            });

            if (redirected)
            {
                // No terminal to fit: let rows be as wide as they need rather than wrapping at 80.
                _tableConsole.Profile.Width = 1024;
            }
        }

        _tableConsole.Write(renderable);
    }

    /// <summary>Writes the command's one JSON document (with <c>--json</c> only).</summary>
    public void JsonDocument(Action<Utf8JsonWriter> write)
    {
        if (!Json)
        {
            return;
        }

        if (_jsonWritten)
        {
            throw new InvalidOperationException("A command printed two JSON documents.");
        }

        _jsonWritten = true;
        _stdout.WriteLine(JsonOutput.Render(write));
    }

    /// <summary>
    /// Reports an AeroDB error: the code and message on stderr always (scripts grep for AERO_*),
    /// plus the error payload as the JSON document with <c>--json</c>. Returns the exit code:
    /// 1 for corruption, 3 for every other failure.
    /// </summary>
    public int Fail(SnapshotException error)
    {
        _stderr.WriteLine($"aerosnap: {error.Code}: {Printable.Escape(error.Message)}");
        if (!Quiet)
        {
            if (error.Path is not null)
            {
                _stderr.WriteLine($"  path: {Printable.Escape(error.Path)}");
            }

            if (error.Errno is { } errno)
            {
                _stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  errno: {errno} ({Marshal.GetPInvokeErrorMessage(errno)})"));
            }

            if (error.Step is { } step)
            {
                _stderr.WriteLine($"  step: {step}");
            }

            if (error.Invariant is not null)
            {
                _stderr.WriteLine($"  invariant: {error.Invariant}");
            }

            if (error.Rule is not null)
            {
                _stderr.WriteLine($"  rule: {error.Rule}");
            }

            if (error.CleanupFailure is not null)
            {
                _stderr.WriteLine($"  clean-up also failed: {Printable.Escape(error.CleanupFailure.Message)}");
            }
        }

        if (Json && !_jsonWritten)
        {
            JsonDocument(json => JsonOutput.WriteError(json, error));
        }

        return IsCorruption(error.Code) ? ExitCodes.Corruption : ExitCodes.Failed;
    }

    /// <summary>Reports a bad command line; returns exit code 2.</summary>
    public int UsageError(IReadOnlyList<string> errors, string? helpHint)
    {
        foreach (string error in errors)
        {
            _stderr.WriteLine($"aerosnap: {Printable.Escape(error)}");
        }

        if (helpHint is not null)
        {
            _stderr.WriteLine(helpHint);
        }

        if (Json)
        {
            JsonDocument(json => JsonOutput.WriteUsageError(json, errors));
        }

        return ExitCodes.Usage;
    }

    private static bool IsCorruption(string code)
        => code is SnapshotErrorCode.DataCorruption or SnapshotErrorCode.MetadataCorruption or SnapshotErrorCode.WalCorruption;
}

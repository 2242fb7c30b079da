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
    private readonly TerminalCapabilities _terminal;
    private IAnsiConsole? _tableConsole;
    private bool _jsonWritten;

    /// <param name="command">The command's name (<c>create</c>, <c>verify-backup</c>…): it names the JSON document's schema.</param>
    /// <param name="json"><c>--json</c>.</param>
    /// <param name="quiet"><c>--quiet</c>.</param>
    /// <param name="stdout">Where text and the JSON document go.</param>
    /// <param name="stderr">Where errors, warnings and progress go.</param>
    /// <param name="terminal">What the streams can draw.</param>
    public CliOutput(string command, bool json, bool quiet, TextWriter stdout, TextWriter stderr, TerminalCapabilities terminal)
    {
        Command = command;
        Json = json;
        Quiet = quiet;
        _stdout = stdout;
        _stderr = stderr;
        _terminal = terminal;
    }

    /// <summary>The command whose output this is.</summary>
    public string Command { get; }

    /// <summary><c>--json</c>: one JSON document on stdout.</summary>
    public bool Json { get; }

    /// <summary><c>--quiet</c>: nothing on stdout but the JSON document (with <c>--json</c>); errors still on stderr.</summary>
    public bool Quiet { get; }

    /// <summary>True when text for people is printed.</summary>
    public bool Text => !Json && !Quiet;

    /// <summary>True when a progress bar may be drawn on stderr.</summary>
    public bool ShowProgress => Text && _terminal.Progress;

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
            _tableConsole = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(_stdout),
                Interactive = InteractionSupport.No,

                // Spectre would colour a pipe too; a file, grep or a dumb terminal gets plain text.
                Ansi = _terminal.Colour ? AnsiSupport.Detect : AnsiSupport.No,
                ColorSystem = _terminal.Colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            });
            _tableConsole.Profile.Capabilities.Unicode = _terminal.UnicodeTables;

            if (!_terminal.StdoutIsTerminal)
            {
                // No terminal to fit: let rows be as wide as they need rather than wrapping at 80.
                _tableConsole.Profile.Width = 1024;
            }
        }

        _tableConsole.Write(renderable);
    }

    /// <summary>The border for a table: rounded box drawing on a capable terminal, else plain ASCII.</summary>
    public TableBorder TableBorder => _terminal.UnicodeTables ? TableBorder.Rounded : TableBorder.Ascii;

    /// <summary>
    /// Writes the command's one JSON document (with <c>--json</c> only): an object whose first member is
    /// <c>"schema": "aerosnap/&lt;command&gt;/&lt;version&gt;"</c>, then what <paramref name="writeMembers"/> writes.
    /// </summary>
    public void JsonDocument(Action<Utf8JsonWriter> writeMembers)
        => WriteDocument(json =>
        {
            json.WriteStartObject();
            json.WriteString("schema", JsonOutput.SchemaOf(Command));
            writeMembers(json);
            json.WriteEndObject();
        });

    private void WriteDocument(Action<Utf8JsonWriter> write)
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
    /// plus, with <c>--json</c>, the failure document (<see cref="JsonOutput.WriteError"/>), with
    /// <paramref name="writeDetails"/> adding the command's own members to its <c>details</c>.
    /// Returns the exit code: 1 for corruption, 11 when the data directory is in use, 3 for every other failure.
    /// </summary>
    public int Fail(SnapshotException error, Action<Utf8JsonWriter>? writeDetails = null)
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
            WriteDocument(json => JsonOutput.WriteError(json, Command, error, writeDetails));
        }

        return ExitCodes.For(error);
    }

    /// <summary>Reports a bad command line, with "did you mean" suggestions; returns exit code 2.</summary>
    public int UsageError(IReadOnlyList<string> errors, IReadOnlyList<string> suggestions, string? helpHint)
    {
        foreach (string error in errors)
        {
            _stderr.WriteLine($"aerosnap: {Printable.Escape(error)}");
        }

        if (suggestions.Count > 0)
        {
            _stderr.WriteLine($"Did you mean {string.Join(" or ", suggestions.Select(static s => $"'{Printable.Escape(s)}'"))}?");
        }

        if (helpHint is not null)
        {
            _stderr.WriteLine(helpHint);
        }

        if (Json)
        {
            WriteDocument(json => JsonOutput.WriteUsageError(json, Command, errors, suggestions));
        }

        return ExitCodes.Usage;
    }
}

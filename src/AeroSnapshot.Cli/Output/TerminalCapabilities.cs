namespace AeroSnapshot.Cli.Output;

/// <summary>
/// What the tool may draw, from the streams and the environment: box drawing and colour need a
/// terminal that is not <c>TERM=dumb</c> (an unset <c>TERM</c> is taken as dumb: nothing says what it can
/// do), and box drawing a UTF-8 locale (<c>LC_ALL</c>, else <c>LC_CTYPE</c>, else <c>LANG</c>; none set is
/// the POSIX locale, ASCII). A pipe, a file, <c>TERM=dumb</c> or <c>LANG=C</c> get plain ASCII tables.
/// </summary>
internal sealed record TerminalCapabilities(bool StdoutIsTerminal, bool StderrIsTerminal, bool Dumb, bool Utf8Locale, bool NoColor)
{
    /// <summary>The variables that name the character set, in the order POSIX gives them precedence.</summary>
    private static readonly string[] LocaleVariables = ["LC_ALL", "LC_CTYPE", "LANG"];

    /// <summary>The capabilities of this process's streams and environment.</summary>
    public static TerminalCapabilities Detect()
    {
        string? term = Environment.GetEnvironmentVariable("TERM");
        string? locale = LocaleVariables
            .Select(Environment.GetEnvironmentVariable)
            .FirstOrDefault(static value => !string.IsNullOrEmpty(value));
        return new TerminalCapabilities(
            StdoutIsTerminal: !Console.IsOutputRedirected,
            StderrIsTerminal: !Console.IsErrorRedirected,
            Dumb: string.IsNullOrEmpty(term) || term == "dumb",
            Utf8Locale: locale is not null && (locale.Contains("UTF-8", StringComparison.OrdinalIgnoreCase) || locale.Contains("utf8", StringComparison.OrdinalIgnoreCase)),
            NoColor: Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 });
    }

    /// <summary>Tables with Unicode box drawing; otherwise ASCII (<c>+</c>, <c>-</c>, <c>|</c>).</summary>
    public bool UnicodeTables => StdoutIsTerminal && !Dumb && Utf8Locale;

    /// <summary>Colour codes on stdout.</summary>
    public bool Colour => StdoutIsTerminal && !Dumb && !NoColor;

    /// <summary>A redrawn progress bar on stderr (it moves the cursor, which a dumb terminal cannot).</summary>
    public bool Progress => StderrIsTerminal && !Dumb;
}

using System.Globalization;
using System.Text;
using AeroSnapshot.Cli.Completion;

namespace AeroSnapshot.Cli.Docs;

/// <summary>
/// <c>aerosnap(1)</c> in roff (man macros), from the same command definitions the parser uses, the
/// exit-code table and a few fixed sections. Deterministic (no date, no version): the committed
/// <c>docs/aerosnap.1</c> is this output, and a test regenerates it and compares the bytes.
/// </summary>
internal static class ManPage
{
    public static string Generate(CommandModel root)
    {
        var page = new StringBuilder();
        page.Append(".\\\" Generated from the command definitions by 'aerosnap man'; do not edit by hand.\n");
        page.Append(".\\\" Regenerate: dotnet run --project src/AeroSnapshot.Cli -- man > docs/aerosnap.1\n");
        page.Append(".TH AEROSNAP 1 \"\" \"aerosnap\" \"User Commands\"\n");
        page.Append(".SH NAME\n");
        page.Append($"aerosnap \\- {Text(Lowercase(CommandModel.FirstSentence(StripName(root.Description))))}\n");
        page.Append(".SH SYNOPSIS\n");
        page.Append(".B aerosnap\n.I command\n.RI [ arguments ]\n.RI [ options ]\n");
        page.Append(".SH DESCRIPTION\n");
        page.Append(Text("aerosnap takes, checks, lists, prunes and restores point-in-time snapshots of an AeroDB data directory, "
            + "and builds checkpoints, backups and restores from backups on them. Every operation runs in the calling process; "
            + "nothing runs in the background.")).Append('\n');
        page.Append(".PP\n");
        page.Append(Text("Text for people goes to standard output; errors and warnings go to standard error, starting with 'aerosnap: ' "
            + "and, for failures, the AeroDB error code (AERO_*). With --json, standard output carries exactly one JSON document "
            + "whose first member, \"schema\", names its shape and version (aerosnap/<command>/1); every failure prints the same "
            + "failure document (aerosnap/error/1: code, severity, message, invariant, details). The schemas are in docs/json-schema/.")).Append('\n');
        page.Append(".SH COMMANDS\n");
        foreach (CommandModel command in root.Subcommands)
        {
            page.Append($".SS \"{Text(Usage(command))}\"\n");
            page.Append(Text(command.Description)).Append('\n');
            foreach (ArgumentModel argument in command.Arguments)
            {
                page.Append(".TP\n");
                page.Append($".I {Text(argument.Name)}\n");
                page.Append(Text(Sentence(argument.Description))).Append('\n');
            }

            foreach (OptionModel option in command.Options.Where(o => !root.Options.Any(r => r.Names[0] == o.Names[0])))
            {
                AppendOption(page, option);
            }
        }

        page.Append(".SH OPTIONS\n");
        page.Append(Text("Accepted by every command:")).Append('\n');
        foreach (OptionModel option in root.Options)
        {
            AppendOption(page, option);
        }

        page.Append(".SH EXIT STATUS\n");
        foreach ((int code, string meaning) in ExitCodes.Table)
        {
            page.Append(".TP\n");
            page.Append(string.Create(CultureInfo.InvariantCulture, $".B {code}\n"));
            page.Append(Text(Sentence(meaning))).Append('\n');
        }

        page.Append(".SH ENVIRONMENT\n");
        AppendEntry(page, "NO_COLOR", "When set and not empty, tables have no colour.");
        AppendEntry(page, "TERM", "A dumb terminal (TERM=dumb, or TERM unset) gets plain ASCII tables and no progress bar.");
        AppendEntry(page, "LC_ALL, LC_CTYPE, LANG", "Tables use box drawing only on a terminal whose locale is UTF-8; otherwise, and whenever standard output is not a terminal, plain ASCII.");
        page.Append(".SH FILES\n");
        AppendEntry(page, "<data-dir>/LOCK", "The data directory's advisory lock (flock), taken by every command that changes the data directory; see --lock-wait and exit status 11.");
        AppendEntry(page, "<data-dir>/.lock", "AeroDB's running marker: restore, restore-backup and checkpoint refuse while it exists (exit status 11).");
        AppendEntry(page, "<data-dir>/snapshots/<id>/", "A snapshot: storage.dat, schemas/, manifest.json.");
        page.Append(".SH SEE ALSO\n");
        page.Append(Text("aerosnap completion bash|zsh|fish prints a shell completion script. The project's README.md and docs/CLI.md.")).Append('\n');
        return page.ToString();
    }

    /// <summary><c>aerosnap restore [options] &lt;snapshot-dir&gt; &lt;target-data-dir&gt;</c>.</summary>
    public static string Usage(CommandModel command)
        => $"aerosnap {command.Name}{string.Concat(command.Arguments.Select(static a => $" <{a.Name}>"))} [options]";

    private static void AppendOption(StringBuilder page, OptionModel option)
    {
        page.Append(".TP\n");
        string names = string.Join(", ", option.Names.Select(static n => $"\\fB{Text(n)}\\fR"));
        page.Append(option.TakesValue ? $"{names} \\fI{Text(option.ValueName!)}\\fR\n" : $"{names}\n");
        page.Append(Text(Sentence(option.Description))).Append('\n');
    }

    private static void AppendEntry(StringBuilder page, string term, string description)
    {
        page.Append(".TP\n");
        page.Append($".B {Text(term)}\n");
        page.Append(Text(description)).Append('\n');
    }

    /// <summary>
    /// Text made safe for roff: a backslash is written <c>\e</c>, a hyphen <c>\-</c> (a real minus, so
    /// an option can be copied from the page), and a line that would start with a control character
    /// (<c>.</c> or <c>'</c>) is protected with <c>\&amp;</c>.
    /// </summary>
    private static string Text(string text)
    {
        string escaped = text.Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal);
        return escaped.StartsWith('.') || escaped.StartsWith('\'') ? "\\&" + escaped : escaped;
    }

    private static string Sentence(string text) => text.Length == 0 || text.EndsWith('.') || text.EndsWith(']') || text.EndsWith(')') ? text : text + ".";

    private static string StripName(string description)
        => description.StartsWith("aerosnap: ", StringComparison.Ordinal) ? description["aerosnap: ".Length..] : description;

    private static string Lowercase(string text) => text.Length > 0 ? char.ToLowerInvariant(text[0]) + text[1..] : text;
}

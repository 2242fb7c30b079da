using System.CommandLine;
using System.CommandLine.Completions;

namespace AeroSnapshot.Cli.Completion;

/// <summary>What a value on the command line is, for completion: nothing to offer, a path, a directory, one of a few words.</summary>
internal enum ValueKind
{
    /// <summary>A number, size or duration: nothing to offer.</summary>
    Any,

    /// <summary>A file (or any path): files and directories are offered.</summary>
    File,

    /// <summary>A directory: only directories are offered.</summary>
    Directory,

    /// <summary>One of <see cref="OptionModel.Choices"/>.</summary>
    Choice,
}

/// <summary>An option as the completion scripts and the man page see it.</summary>
/// <param name="Names">Its names, long first (<c>--quiet</c>, <c>-q</c>); never a Windows-style <c>/?</c> or <c>/h</c>.</param>
/// <param name="Description">Its help text.</param>
/// <param name="ValueName">The value's name in help (<c>N</c>, <c>path</c>), or null for a flag.</param>
/// <param name="Kind">What its value is.</param>
/// <param name="Choices">The accepted values, for <see cref="ValueKind.Choice"/>.</param>
internal sealed record OptionModel(IReadOnlyList<string> Names, string Description, string? ValueName, ValueKind Kind, IReadOnlyList<string> Choices)
{
    public bool TakesValue => ValueName is not null;
}

/// <summary>A positional argument.</summary>
internal sealed record ArgumentModel(string Name, string Description, ValueKind Kind, IReadOnlyList<string> Choices);

/// <summary>
/// A command of the tool, read from the very <see cref="Command"/> objects the parser uses, so the
/// completion scripts and the man page cannot drift from what the tool accepts.
/// </summary>
internal sealed record CommandModel(string Name, string Description, IReadOnlyList<ArgumentModel> Arguments, IReadOnlyList<OptionModel> Options, IReadOnlyList<CommandModel> Subcommands)
{
    /// <summary>The root and its visible commands; each command's options include the root's recursive ones.</summary>
    public static CommandModel From(Command root)
    {
        IReadOnlyList<OptionModel> inherited = [.. root.Options.Where(static o => o.Recursive && !o.Hidden).Select(Option)];
        return new CommandModel(
            root.Name,
            root.Description ?? string.Empty,
            [],
            [.. root.Options.Where(static o => !o.Hidden).Select(Option)],
            [.. root.Subcommands.Where(static c => !c.Hidden).Select(command => Sub(command, inherited))]);
    }

    /// <summary>Every option name of this command (for the shells' word lists).</summary>
    public IEnumerable<string> OptionNames => Options.SelectMany(static o => o.Names);

    /// <summary>The first sentence of <see cref="Description"/>, for one-line summaries.</summary>
    public string Summary => FirstSentence(Description);

    public static string FirstSentence(string text)
    {
        int end = text.IndexOf(". ", StringComparison.Ordinal);
        string sentence = end < 0 ? text.TrimEnd('.') : text[..end];
        return sentence.Length <= 100 ? sentence : sentence[..97] + "...";
    }

    private static CommandModel Sub(Command command, IReadOnlyList<OptionModel> inherited)
        => new(
            command.Name,
            command.Description ?? string.Empty,
            [.. command.Arguments.Where(static a => !a.Hidden).Select(Argument)],
            [.. command.Options.Where(static o => !o.Hidden).Select(Option), .. inherited],
            []);

    private static OptionModel Option(Option option)
    {
        // The long name first, then the aliases; never a Windows-style one (Linux only).
        string[] names = [option.Name, .. option.Aliases.Where(alias => alias != option.Name).OrderByDescending(static a => a.Length)];
        names = [.. names.Where(static n => !n.StartsWith('/') && n != "-?")];
        // A flag: a bool option, or one that takes no value at all (--help, --version).
        if (option.ValueType == typeof(bool) || option.Arity.MaximumNumberOfValues == 0)
        {
            return new OptionModel(names, option.Description ?? string.Empty, null, ValueKind.Any, []);
        }

        string valueName = option.HelpName ?? option.Name.TrimStart('-');
        string[] choices = Choices(option);
        return new OptionModel(names, option.Description ?? string.Empty, valueName, KindOf(valueName, choices), choices);
    }

    private static ArgumentModel Argument(Argument argument)
    {
        string[] choices = Choices(argument);
        return new ArgumentModel(argument.Name, argument.Description ?? string.Empty, KindOf(argument.HelpName ?? argument.Name, choices), choices);
    }

    private static string[] Choices(Symbol symbol)
        => [.. symbol.GetCompletions(CompletionContext.Empty).Select(static c => c.Label)];

    /// <summary>
    /// From the names the definitions already give values: fixed choices first; then a name ending
    /// in <c>dir</c> (<c>data-dir</c>, <c>snapshot-dir</c>) is a directory, <c>path</c> or <c>file</c> any path.
    /// </summary>
    private static ValueKind KindOf(string valueName, string[] choices)
        => choices.Length > 0 ? ValueKind.Choice
            : valueName.EndsWith("dir", StringComparison.Ordinal) ? ValueKind.Directory
            : valueName is "path" or "file" ? ValueKind.File
            : ValueKind.Any;
}

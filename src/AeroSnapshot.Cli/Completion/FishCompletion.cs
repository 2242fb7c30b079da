using System.Text;

namespace AeroSnapshot.Cli.Completion;

/// <summary>The fish completions (<c>complete -c …</c> lines), from <see cref="CommandModel"/>.</summary>
internal static class FishCompletion
{
    public static string Generate(CommandModel root)
    {
        string tool = root.Name;
        var script = new StringBuilder();
        script.Append($"# fish completion for {tool}, generated from its command definitions by '{tool} completion fish'.\n");
        script.Append($"# Install: {tool} completion fish > ~/.config/fish/completions/{tool}.fish\n\n");
        script.Append($"complete -c {tool} -f\n");
        string subcommands = string.Join(' ', root.Subcommands.Select(static c => c.Name));
        foreach (CommandModel command in root.Subcommands)
        {
            script.Append($"complete -c {tool} -n {Quote($"not __fish_seen_subcommand_from {subcommands}")} -a {command.Name} -d {Quote(command.Summary)}\n");
        }

        foreach (OptionModel option in root.Options)
        {
            script.Append($"complete -c {tool} -n {Quote($"not __fish_seen_subcommand_from {subcommands}")}{Option(option)}\n");
        }

        foreach (CommandModel command in root.Subcommands)
        {
            string condition = $" -n {Quote($"__fish_seen_subcommand_from {command.Name}")}";
            script.Append('\n');
            foreach (OptionModel option in command.Options)
            {
                script.Append($"complete -c {tool}{condition}{Option(option)}\n");
            }

            foreach (ArgumentModel argument in command.Arguments)
            {
                script.Append($"complete -c {tool}{condition}{Values(argument.Kind, argument.Choices)}\n");
            }
        }

        return script.ToString();
    }

    private static string Option(OptionModel option)
    {
        var text = new StringBuilder();
        foreach (string name in option.Names)
        {
            text.Append(name.StartsWith("--", StringComparison.Ordinal) ? $" -l {name[2..]}" : $" -s {name[1..]}");
        }

        if (option.TakesValue)
        {
            text.Append(" -r").Append(Values(option.Kind, option.Choices));
        }

        return text.Append($" -d {Quote(CommandModel.FirstSentence(option.Description))}").ToString();
    }

    private static string Values(ValueKind kind, IReadOnlyList<string> choices) => kind switch
    {
        ValueKind.Directory => " -f -a '(__fish_complete_directories (commandline -ct))'",
        ValueKind.File => " -F",
        ValueKind.Choice => $" -f -a {Quote(string.Join(' ', choices))}",
        _ => " -f",
    };

    /// <summary>Single-quoted for fish: backslashes and quotes escaped.</summary>
    private static string Quote(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}

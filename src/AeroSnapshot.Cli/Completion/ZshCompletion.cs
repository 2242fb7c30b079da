using System.Text;

namespace AeroSnapshot.Cli.Completion;

/// <summary>The zsh completion function (<c>#compdef</c>), from <see cref="CommandModel"/>.</summary>
internal static class ZshCompletion
{
    public static string Generate(CommandModel root)
    {
        var script = new StringBuilder();
        script.Append($"#compdef {root.Name}\n");
        script.Append($"# zsh completion for {root.Name}, generated from its command definitions by '{root.Name} completion zsh'.\n");
        script.Append($"# Install: {root.Name} completion zsh > \"${{fpath[1]}}/_{root.Name}\"   (or: source <({root.Name} completion zsh))\n\n");
        script.Append($"_{root.Name}() {{\n");
        script.Append("  local curcontext=\"$curcontext\" state line\n");
        script.Append("  local -a commands\n");
        script.Append("  commands=(\n");
        foreach (CommandModel command in root.Subcommands)
        {
            script.Append($"    {Quote($"{command.Name}:{command.Summary}")}\n");
        }

        script.Append("  )\n");
        script.Append("  _arguments -C \\\n");
        foreach (OptionModel option in root.Options)
        {
            script.Append($"    {OptionSpec(option)} \\\n");
        }

        script.Append("    '1: :->command' \\\n");
        script.Append("    '*:: :->args' && return\n\n");
        script.Append("  case $state in\n");
        script.Append($"    command) _describe -t commands '{root.Name} command' commands ;;\n");
        script.Append("    args)\n");
        script.Append("      case $words[1] in\n");
        foreach (CommandModel command in root.Subcommands)
        {
            script.Append($"        {command.Name})\n");
            script.Append("          _arguments \\\n");
            foreach (OptionModel option in command.Options)
            {
                script.Append($"            {OptionSpec(option)} \\\n");
            }

            for (int i = 0; i < command.Arguments.Count; i++)
            {
                ArgumentModel argument = command.Arguments[i];
                script.Append($"            {Quote($"{i + 1}:{Message(argument.Name)}:{Action(argument.Kind, argument.Choices)}")} \\\n");
            }

            script.Append("            && return\n");
            script.Append("          ;;\n");
        }

        script.Append("      esac\n");
        script.Append("      ;;\n");
        script.Append("  esac\n");
        script.Append("}\n\n");
        script.Append("if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n");
        script.Append($"  _{root.Name} \"$@\"\n");
        script.Append("else\n");
        script.Append($"  compdef _{root.Name} {root.Name}\n");
        script.Append("fi\n");
        return script.ToString();
    }

    /// <summary><c>'(-q --quiet)'{-q,--quiet}'[description]'</c>, plus <c>:value:action</c> for an option with a value.</summary>
    private static string OptionSpec(OptionModel option)
    {
        string description = $"[{Bracketed(CommandModel.FirstSentence(option.Description))}]";
        string value = option.TakesValue ? $":{Message(option.ValueName!)}:{Action(option.Kind, option.Choices)}" : string.Empty;
        return option.Names.Count == 1
            ? Quote(option.Names[0] + description + value)
            : $"{Quote($"({string.Join(' ', option.Names)})")}{{{string.Join(',', option.Names)}}}{Quote(description + value)}";
    }

    private static string Action(ValueKind kind, IReadOnlyList<string> choices) => kind switch
    {
        ValueKind.Directory => "_files -/",
        ValueKind.File => "_files",
        ValueKind.Choice => $"({string.Join(' ', choices)})",
        _ => " ",
    };

    private static string Message(string name) => name.Replace(':', ' ');

    private static string Bracketed(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal);

    /// <summary>Single-quoted for zsh: a quote inside is closed, escaped and reopened.</summary>
    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

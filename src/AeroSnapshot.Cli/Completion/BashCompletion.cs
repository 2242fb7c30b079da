using System.Text;

namespace AeroSnapshot.Cli.Completion;

/// <summary>
/// The bash completion script: subcommands, each command's options, the values of options with fixed
/// choices, and files or directories for path arguments and options, all from <see cref="CommandModel"/>.
/// </summary>
internal static class BashCompletion
{
    public static string Generate(CommandModel root)
    {
        var script = new StringBuilder();
        string commands = string.Join(' ', root.Subcommands.Select(static c => c.Name));
        script.Append($$"""
            # bash completion for {{root.Name}}, generated from its command definitions by '{{root.Name}} completion bash'.
            # Install: {{root.Name}} completion bash > /etc/bash_completion.d/{{root.Name}}   (or: source <({{root.Name}} completion bash))

            # The number of positional words between the command (at $1) and the word being completed;
            # an option named in $2 takes the word after it as its value.
            _{{root.Name}}_position()
            {
                local valued=" $2 " n=0 j word
                for ((j = $1 + 1; j < COMP_CWORD; j++)); do
                    word=${COMP_WORDS[j]}
                    if [[ $word == -* ]]; then
                        [[ $valued == *" $word "* ]] && j=$((j + 1))
                    else
                        n=$((n + 1))
                    fi
                done
                echo "$n"
            }

            _{{root.Name}}_files() { local IFS=$'\n'; COMPREPLY=($(compgen -f -- "$cur")); }
            _{{root.Name}}_dirs() { local IFS=$'\n'; COMPREPLY=($(compgen -d -- "$cur")); }

            _{{root.Name}}()
            {
                local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i
                COMPREPLY=()
                for ((i = 1; i < COMP_CWORD; i++)); do
                    case ${COMP_WORDS[i]} in
                        {{string.Join('|', root.Subcommands.Select(static c => c.Name))}}) cmd=${COMP_WORDS[i]}; break ;;
                    esac
                done

                case $cmd in
                    '')
                        if [[ $cur == -* ]]; then
                            COMPREPLY=($(compgen -W '{{string.Join(' ', root.OptionNames)}}' -- "$cur"))
                        else
                            COMPREPLY=($(compgen -W '{{commands}}' -- "$cur"))
                        fi
                        ;;

            """);
        foreach (CommandModel command in root.Subcommands)
        {
            AppendCommand(script, root.Name, command);
        }

        script.Append($$"""
                esac
            }

            complete -o filenames -F _{{root.Name}} {{root.Name}}

            """);
        return script.ToString().ReplaceLineEndings("\n");
    }

    private static void AppendCommand(StringBuilder script, string tool, CommandModel command)
    {
        const string Indent = "            ";
        script.Append($"        {command.Name})\n");
        script.Append($"{Indent}case $prev in\n");
        foreach (IGrouping<string, OptionModel> group in command.Options.Where(static o => o.TakesValue).GroupBy(o => Action(tool, o.Kind, o.Choices)))
        {
            script.Append($"{Indent}    {string.Join('|', group.SelectMany(static o => o.Names))}) {group.Key}; return ;;\n");
        }

        script.Append($"{Indent}esac\n");
        script.Append($"{Indent}if [[ $cur == -* ]]; then\n");
        script.Append($"{Indent}    COMPREPLY=($(compgen -W '{string.Join(' ', command.OptionNames)}' -- \"$cur\"))\n");
        script.Append($"{Indent}    return\n");
        script.Append($"{Indent}fi\n");
        if (command.Arguments.Count > 0)
        {
            string valued = string.Join(' ', command.Options.Where(static o => o.TakesValue).SelectMany(static o => o.Names));
            script.Append($"{Indent}case $(_{tool}_position \"$i\" '{valued}') in\n");
            for (int position = 0; position < command.Arguments.Count; position++)
            {
                ArgumentModel argument = command.Arguments[position];
                script.Append($"{Indent}    {position}) {Action(tool, argument.Kind, argument.Choices)} ;;\n");
            }

            script.Append($"{Indent}esac\n");
        }

        script.Append($"{Indent};;\n\n");
    }

    private static string Action(string tool, ValueKind kind, IReadOnlyList<string> choices) => kind switch
    {
        ValueKind.Directory => $"_{tool}_dirs",
        ValueKind.File => $"_{tool}_files",
        ValueKind.Choice => $"COMPREPLY=($(compgen -W '{string.Join(' ', choices)}' -- \"$cur\"))",
        _ => ":",
    };
}

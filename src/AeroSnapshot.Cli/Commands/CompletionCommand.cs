using System.CommandLine;
using AeroSnapshot.Cli.Completion;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap completion bash|zsh|fish</c>: a completion script generated from the command definitions.</summary>
internal static class CompletionCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var shell = new Argument<string>("shell") { Description = "The shell: bash, zsh or fish" }.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command(
            "completion",
            "Print a completion script for bash, zsh or fish, generated from the tool's own command definitions: it completes "
            + "commands, options, the values of options with fixed choices, and files or directories for path arguments. "
            + "bash: source <(aerosnap completion bash); zsh: aerosnap completion zsh > \"${fpath[1]}/_aerosnap\"; "
            + "fish: aerosnap completion fish > ~/.config/fish/completions/aerosnap.fish.")
        {
            shell,
        };

        CommandRunner.SetBody(command, globals, context =>
        {
            if (context.Output.Json)
            {
                return context.Output.UsageError(["'completion' prints a shell script; --json does not apply to it."], [], null);
            }

            CommandModel model = Model(context.ParseResult);
            Console.Out.Write(context.ParseResult.GetRequiredValue(shell) switch
            {
                "zsh" => ZshCompletion.Generate(model),
                "fish" => FishCompletion.Generate(model),
                _ => BashCompletion.Generate(model),
            });
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }

    /// <summary>The tool's commands, named <c>aerosnap</c> whatever the executable is called.</summary>
    public static CommandModel Model(ParseResult parse) => CommandModel.From(parse.RootCommandResult.Command) with { Name = "aerosnap" };
}

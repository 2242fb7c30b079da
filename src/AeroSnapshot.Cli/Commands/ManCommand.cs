using System.CommandLine;
using AeroSnapshot.Cli.Docs;

namespace AeroSnapshot.Cli.Commands;

/// <summary><c>aerosnap man</c>: the manual page, generated from the command definitions (committed as docs/aerosnap.1).</summary>
internal static class ManCommand
{
    public static Command Build(GlobalOptions globals, CancellationToken cancellation)
    {
        var command = new Command(
            "man",
            "Print the manual page aerosnap(1) in roff, generated from the tool's own command definitions "
            + "(view it with: aerosnap man | man -l -).");

        CommandRunner.SetBody(command, globals, context =>
        {
            if (context.Output.Json)
            {
                return context.Output.UsageError(["'man' prints a manual page; --json does not apply to it."], [], null);
            }

            Console.Out.Write(ManPage.Generate(CompletionCommand.Model(context.ParseResult)));
            return ExitCodes.Success;
        }, cancellation);
        return command;
    }
}

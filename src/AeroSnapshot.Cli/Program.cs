using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using AeroSnapshot.Cli;
using AeroSnapshot.Cli.Commands;

// Ctrl+C and SIGTERM cancel the running operation between buffers (exit 130, 143).
using var signals = new SignalCancellation();

Command root = Cli.Build(signals.Token, out GlobalOptions globals);
ParseResult parse = root.Parse(args);
if (parse.Action is ParseErrorAction)
{
    return CommandRunner.OutputFor(parse, globals).UsageError(
        parse.Errors.Select(static e => e.Message).ToList(),
        Suggestions.For(parse),
        $"Try '{Cli.CommandPath(parse)} --help'.");
}

return parse.Invoke(new InvocationConfiguration
{
    EnableDefaultExceptionHandler = false,
    ProcessTerminationTimeout = null,
});

namespace AeroSnapshot.Cli
{
    /// <summary>The command tree.</summary>
    internal static class Cli
    {
        public static Command Build(CancellationToken cancellation, out GlobalOptions globals)
        {
            globals = new GlobalOptions();

            // A RootCommand: its name is the executable's ("aerosnap", native or aerosnap.dll), and it
            // brings the [suggest] directive that shell completion (dotnet-suggest) calls.
            var root = new RootCommand("aerosnap: durable, checksummed snapshots of an AeroDB data directory.")
            {
                // RootCommand brings --help and --version itself.
                CreateCommand.Build(globals, cancellation),
                VerifyCommand.Build(globals, cancellation),
                ListCommand.Build(globals, cancellation),
                NewestCommand.Build(globals, cancellation),
                CleanCommand.Build(globals, cancellation),
                PruneCommand.Build(globals, cancellation),
                RestoreCommand.Build(globals, cancellation),
                CheckpointCommand.Build(globals, cancellation),
                BackupCommand.Build(globals, cancellation),
                VerifyBackupCommand.Build(globals, cancellation),
                RestoreBackupCommand.Build(globals, cancellation),
                DemoCommand.Build(globals, cancellation),
                CompletionCommand.Build(globals, cancellation),
                ManCommand.Build(globals, cancellation),
            };
            root.Add(globals.Json);
            root.Add(globals.Quiet);

            HelpOption help = root.Options.OfType<HelpOption>().Single();

            // A Linux tool: no Windows-style /? or /h (completion would offer them).
            help.Aliases.Remove("/?");
            help.Aliases.Remove("/h");
            help.Action = new HelpWithExitCodes((HelpAction)help.Action!);
            return root;
        }

        /// <summary><c>aerosnap create</c> for the command the user was typing.</summary>
        public static string CommandPath(ParseResult parse)
        {
            var names = new List<string>();
            for (System.CommandLine.Parsing.SymbolResult? result = parse.CommandResult; result is not null; result = result.Parent)
            {
                if (result is System.CommandLine.Parsing.CommandResult command)
                {
                    names.Add(command.Command.Name);
                }
            }

            names.Reverse();
            return string.Join(' ', names);
        }

        /// <summary>The standard help, followed by the exit codes every command shares.</summary>
        private sealed class HelpWithExitCodes(HelpAction standard) : SynchronousCommandLineAction
        {
            public override int Invoke(ParseResult parseResult)
            {
                int result = standard.Invoke(parseResult);
                parseResult.InvocationConfiguration.Output.WriteLine(ExitCodes.HelpText);
                return result;
            }
        }
    }
}

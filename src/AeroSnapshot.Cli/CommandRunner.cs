using System.CommandLine;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Cli;

/// <summary>
/// Runs a command's body and turns every failure into the AeroDB error shape and an exit code,
/// in one place, so each command only says what it does when things go right.
/// </summary>
internal static class CommandRunner
{
    public static void SetBody(Command command, GlobalOptions globals, Func<CommandContext, int> body, CancellationToken cancellation)
        => command.SetAction(parse => Run(parse, globals, body, cancellation));

    public static CliOutput OutputFor(ParseResult parse, GlobalOptions globals)
        => new(
            parse.CommandResult.Command.Name,
            parse.GetValue(globals.Json),
            parse.GetValue(globals.Quiet),
            Console.Out,
            Console.Error,
            TerminalCapabilities.Detect());

    private static int Run(ParseResult parse, GlobalOptions globals, Func<CommandContext, int> body, CancellationToken cancellation)
    {
        CliOutput output = OutputFor(parse, globals);
        try
        {
            return body(new CommandContext(parse, output, globals, cancellation));
        }
        catch (SnapshotException error)
        {
            return output.Fail(error);
        }
        catch (OperationCanceledException)
        {
            output.Fail(new SnapshotException(SnapshotErrorCode.Failed, "Cancelled; nothing partial was left behind."));
            return SignalCancellation.ExitCode;
        }
        catch (NativeIOException error)
        {
            return output.Fail(new SnapshotException(SnapshotErrorCode.IO, error.Message, path: error.Path, errno: error.Errno, innerException: error));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return output.Fail(new SnapshotException(SnapshotErrorCode.IO, error.Message, innerException: error));
        }
        catch (NotImplementedException error)
        {
            return output.Fail(new SnapshotException(SnapshotErrorCode.Failed, "This operation is not implemented in this build of AeroSnapshot.Fast.", innerException: error));
        }
#pragma warning disable CA1031 // A bug must still end with the error shape and exit code 3, not a crash dump and 134.
        catch (Exception error)
#pragma warning restore CA1031
        {
            if (Environment.GetEnvironmentVariable("AEROSNAP_DEBUG") is "1")
            {
                Console.Error.WriteLine(error);
            }

            return output.Fail(new SnapshotException(SnapshotErrorCode.Failed, $"Unexpected error ({error.GetType().Name}): {error.Message}", innerException: error));
        }
    }
}

/// <summary>Preconditions on command-line paths, failing with the AeroDB error shape.</summary>
internal static class Require
{
    public static string ExistingDirectory(string path, string what)
    {
        string full = Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"The {what} '{full}' does not exist or is not a directory.",
                path: full,
                errno: File.Exists(full) ? Errno.ENOTDIR : Errno.ENOENT);
        }

        return full;
    }
}

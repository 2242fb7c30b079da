using System.CommandLine;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;

namespace AeroSnapshot.Cli;

/// <summary>What a command's body gets: its parsed command line, its output, and the Ctrl+C token.</summary>
internal sealed class CommandContext(ParseResult parseResult, CliOutput output, CancellationToken cancellation)
{
    public ParseResult ParseResult { get; } = parseResult;

    public CliOutput Output { get; } = output;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>
    /// Library options carrying the cancellation token, when a bar is shown its callback, and
    /// <paramref name="strict"/> verification (<c>--strict</c>).
    /// </summary>
    public SnapshotOptions Options(Action<SnapshotProgress>? progress, bool strict = false) => new()
    {
        Progress = progress,
        CancellationToken = Cancellation,
        Strict = strict,
    };
}

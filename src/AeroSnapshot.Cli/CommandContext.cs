using System.CommandLine;
using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;

namespace AeroSnapshot.Cli;

/// <summary>What a command's body gets: its parsed command line, its output, the Ctrl+C token, the shared options.</summary>
internal sealed class CommandContext(ParseResult parseResult, CliOutput output, GlobalOptions globals, CancellationToken cancellation)
{
    public ParseResult ParseResult { get; } = parseResult;

    public CliOutput Output { get; } = output;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>How long to wait for the data directory's LOCK (<c>--lock-wait</c>; zero when the command has no such option).</summary>
    public LockWait LockWait => new(ParseResult.GetValue(globals.LockWait) ?? TimeSpan.Zero, Cancellation);

    /// <summary><c>--dry-run</c> (false for a command without it).</summary>
    public bool DryRun => ParseResult.GetValue(globals.DryRun);

    /// <summary>
    /// Library options carrying the cancellation token, when a bar is shown its callback,
    /// <paramref name="strict"/> verification (<c>--strict</c>) and, for a restore, where the storage
    /// file goes (<c>--storage-location</c>; null: where the replaced directory keeps it).
    /// </summary>
    public SnapshotOptions Options(Action<SnapshotProgress>? progress, bool strict = false, StorageFileLocation? storageLocation = null) => new()
    {
        Progress = progress is null ? null : new InlineProgress<SnapshotProgress>(progress),
        CancellationToken = Cancellation,
        Strict = strict,
        StorageLocation = storageLocation,
    };
}

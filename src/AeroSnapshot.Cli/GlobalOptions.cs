using System.CommandLine;

namespace AeroSnapshot.Cli;

/// <summary>
/// Options declared once: <c>--json</c> and <c>--quiet</c> on the root, recursive (every command accepts
/// them), and <c>--lock-wait</c> and <c>--dry-run</c>, which each command that supports them adds itself.
/// </summary>
internal sealed class GlobalOptions
{
    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print exactly one JSON document on stdout instead of text, opening with its \"schema\" (aerosnap/<command>/1); "
            + "a failure prints the failure document (aerosnap/error/1, the AeroDB error payload)",
        Recursive = true,
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "No progress and no text on stdout; errors still go to stderr and the exit code tells the outcome",
        Recursive = true,
    };

    /// <summary><c>--lock-wait</c>: added to every command that takes the data directory's LOCK.</summary>
    public Option<TimeSpan?> LockWait { get; } = global::AeroSnapshot.Cli.LockWait.CreateOption();

    /// <summary><c>--dry-run</c>: added to prune, restore, restore-backup and clean.</summary>
    public Option<bool> DryRun { get; } = new("--dry-run", "-n")
    {
        Description = "Print exactly what would be deleted or replaced, and change nothing (the same checks run; an existing LOCK is taken and given back, a missing one is not created)",
    };
}

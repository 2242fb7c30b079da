using System.CommandLine;

namespace AeroSnapshot.Cli;

/// <summary>Options every command accepts (declared once on the root, recursive).</summary>
internal sealed class GlobalOptions
{
    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print exactly one JSON document on stdout instead of text (errors: the AeroDB error payload).",
        Recursive = true,
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "No progress and no text on stdout; errors still go to stderr and the exit code tells the outcome.",
        Recursive = true,
    };
}

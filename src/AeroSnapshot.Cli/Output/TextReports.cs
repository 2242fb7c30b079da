using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Cli.Output;

/// <summary>Verification results as text for people.</summary>
internal static class TextReports
{
    /// <summary>One line per problem, indented.</summary>
    public static void Problems(CliOutput output, IReadOnlyList<VerificationProblem> problems, string indent = "  ")
    {
        foreach (VerificationProblem problem in problems)
        {
            // The library's messages usually name the file and the checksums already; add only what is missing.
            string message = problem.Message.Contains(problem.RelativePath, StringComparison.Ordinal)
                ? problem.Message
                : $"{problem.RelativePath}: {problem.Message}";
            if (problem.Expected is { } expected && problem.Actual is { } actual
                && !message.Contains(expected.ToString(), StringComparison.Ordinal))
            {
                message += $" (expected {expected}, found {actual})";
            }

            output.Line($"{indent}{problem.Kind}: {message}");
        }
    }

    /// <summary>A backup's schema files its snapshot manifest does not list: never silent, never corruption.</summary>
    public static void Unverified(CliOutput output, IReadOnlyList<string> names, string indent = "  ")
    {
        if (names.Count == 0)
        {
            return;
        }

        output.Line($"{indent}{Human.Count(names.Count, "file")} in the archive not listed in the snapshot manifest (not verified; AeroDB's manifest lists top-level schema files only):");
        foreach (string name in names)
        {
            output.Line($"{indent}  {name}");
        }
    }

    /// <summary>The snapshot id a report is about: the manifest's, else the directory's name.</summary>
    public static string IdOf(VerificationReport report)
        => report.Manifest?.SnapshotId.ToString() ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(report.SnapshotDirectory));
}

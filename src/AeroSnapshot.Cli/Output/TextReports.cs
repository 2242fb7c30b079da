using AeroSnapshot.Fast;

namespace AeroSnapshot.Cli.Output;

/// <summary>Verification results as text for people.</summary>
internal static class TextReports
{
    /// <summary>One line per problem, indented.</summary>
    public static void Problems(CliOutput output, IReadOnlyList<VerificationProblem> problems, string indent = "  ")
    {
        foreach (VerificationProblem problem in problems)
        {
            string checksums = problem.Expected is { } expected && problem.Actual is { } actual
                ? $" (expected {expected}, found {actual})"
                : string.Empty;
            output.Line($"{indent}{problem.Kind,-20} {problem.RelativePath}: {problem.Message}{checksums}");
        }
    }

    /// <summary>The snapshot id a report is about: the manifest's, else the directory's name.</summary>
    public static string IdOf(VerificationReport report)
        => report.Manifest?.SnapshotId.ToString() ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(report.SnapshotDirectory));
}

namespace AeroSnapshot.Regress;

/// <summary>The gate's result: every case compared, and what the gate decides.</summary>
/// <param name="BaseLabel">What was measured as the base (a git ref and commit).</param>
/// <param name="HeadLabel">What was measured as the head.</param>
/// <param name="Settings">The thresholds and level used.</param>
/// <param name="Comparisons">One per case, in name order.</param>
public sealed record RegressionReport(string BaseLabel, string HeadLabel, ComparisonSettings Settings, IReadOnlyList<BenchmarkComparison> Comparisons)
{
    /// <summary>Exit code of a passing gate.</summary>
    public const int Pass = 0;

    /// <summary>Exit code when a case is slower beyond the threshold or newly allocates.</summary>
    public const int Regression = 1;

    /// <summary>Exit code when no regression was found but some case present in both builds had too few samples to tell.</summary>
    public const int Undecided = 2;

    /// <summary>Compares every case found in either build.</summary>
    public static RegressionReport Create(
        string baseLabel, string headLabel, IReadOnlyDictionary<string, BenchmarkSamples> baseSamples, IReadOnlyDictionary<string, BenchmarkSamples> headSamples, ComparisonSettings settings)
    {
        ArgumentNullException.ThrowIfNull(baseSamples);
        ArgumentNullException.ThrowIfNull(headSamples);
        BenchmarkComparison[] comparisons = [.. baseSamples.Keys.Union(headSamples.Keys, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(name => RegressionComparer.Compare(name, baseSamples.GetValueOrDefault(name), headSamples.GetValueOrDefault(name), settings))];
        return new RegressionReport(baseLabel, headLabel, settings, comparisons);
    }

    /// <summary>
    /// 1 on any failing case; else 2 if a case measured in both builds could not be decided (a gate
    /// that measured too little must not pass silently); else 0. Cases in one build only are listed, not failed.
    /// </summary>
    public int ExitCode =>
        Comparisons.Any(c => c.Fails) ? Regression
        : Comparisons.Any(c => c.Verdict == Verdict.Inconclusive && c.BaseSamples > 0 && c.HeadSamples > 0) ? Undecided
        : Pass;
}

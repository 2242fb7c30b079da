namespace AeroSnapshot.Regress;

/// <summary>How strict the comparison is.</summary>
/// <param name="ThresholdPercent">A slowdown (or speed-up) smaller than this many percent is not reported even when it is real.</param>
/// <param name="Alpha">The significance level of each one-sided Mann-Whitney test; the confidence interval is at 1 - Alpha.</param>
/// <param name="MinimumSamples">Fewer launches than this on either side make the verdict Inconclusive (5 against 5 is the fewest for which a one-sided Mann-Whitney p-value can reach 0.01: 1/252).</param>
public sealed record ComparisonSettings(double ThresholdPercent, double Alpha, int MinimumSamples)
{
    /// <summary>CPU-bound benchmarks: 5 %, alpha 0.01 (several benchmarks are compared at once), at least 5 launches a side.</summary>
    public static ComparisonSettings CpuBound { get; } = new(5, 0.01, 5);

    /// <summary>
    /// I/O-bound benchmarks (cold creates, schema trees): 15 %. On a shared machine the page cache,
    /// writeback and the other tenants' builds move these by 10-25 % within one run (docs/PERFORMANCE.md).
    /// </summary>
    public static ComparisonSettings IoBound { get; } = new(15, 0.01, 5);
}

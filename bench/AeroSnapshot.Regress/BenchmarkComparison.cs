namespace AeroSnapshot.Regress;

/// <summary>The comparison of one benchmark case, base against head.</summary>
/// <param name="Name">The case's full name.</param>
/// <param name="Verdict">Faster, same, slower or inconclusive, from the timing alone.</param>
/// <param name="BaseMedianNs">Harrell-Davis median of the base's launch medians, in nanoseconds per operation (NaN when absent).</param>
/// <param name="HeadMedianNs">Harrell-Davis median of the head's launch medians (NaN when absent).</param>
/// <param name="Ratio">HeadMedianNs / BaseMedianNs: above 1 is slower.</param>
/// <param name="RatioLower">Lower bound of the ratio's confidence interval.</param>
/// <param name="RatioUpper">Upper bound of the ratio's confidence interval.</param>
/// <param name="ConfidenceLevel">The interval's level (1 - alpha).</param>
/// <param name="PValueSlower">Mann-Whitney p-value of "head is slower than base by more than the threshold".</param>
/// <param name="PValueFaster">Mann-Whitney p-value of "head is faster than base by more than the threshold".</param>
/// <param name="BaseSamples">Launches measured at the base (each contributes the median of its iterations).</param>
/// <param name="HeadSamples">Launches measured at the head.</param>
/// <param name="ThresholdPercent">The threshold the verdict used.</param>
/// <param name="BaseAllocatedBytes">Bytes allocated per operation at the base (largest over launches), if measured.</param>
/// <param name="HeadAllocatedBytes">Bytes allocated per operation at the head (largest over launches), if measured.</param>
/// <param name="AllocationRegression">The base allocated 0 B and the head allocates: a failure whatever the timing says.</param>
/// <param name="Note">Why a verdict is inconclusive, or other context; empty when there is none.</param>
public sealed record BenchmarkComparison(
    string Name,
    Verdict Verdict,
    double BaseMedianNs,
    double HeadMedianNs,
    double Ratio,
    double RatioLower,
    double RatioUpper,
    double ConfidenceLevel,
    double PValueSlower,
    double PValueFaster,
    int BaseSamples,
    int HeadSamples,
    double ThresholdPercent,
    long? BaseAllocatedBytes,
    long? HeadAllocatedBytes,
    bool AllocationRegression,
    string Note)
{
    /// <summary>True when this case fails the gate: a significant slowdown beyond the threshold, or a new allocation.</summary>
    public bool Fails => Verdict == Verdict.Slower || AllocationRegression;

    /// <summary>The base's launch medians (ns per operation) the verdict was computed from, for the JSON report.</summary>
    public IReadOnlyList<double> BaseLaunchMedians { get; init; } = [];

    /// <summary>The head's launch medians (ns per operation).</summary>
    public IReadOnlyList<double> HeadLaunchMedians { get; init; } = [];
}

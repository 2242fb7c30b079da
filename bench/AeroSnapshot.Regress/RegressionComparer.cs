using System.Globalization;
using Perfolizer.Mathematics.Common;
using Perfolizer.Mathematics.QuantileEstimators;
using Perfolizer.Mathematics.SignificanceTesting.Base;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;
using Perfolizer.Metrology;
using Pragmastat;

namespace AeroSnapshot.Regress;

/// <summary>
/// Compares one benchmark's base and head measurements with Perfolizer: Harrell-Davis medians and
/// their standard errors give the median ratio and its confidence interval; two one-sided
/// Mann-Whitney tests against the base scaled by the threshold give the verdict. Mann-Whitney
/// compares ranks, so a bimodal benchmark (two code layouts, a noisy neighbour) does not move it
/// the way it moves a mean; the threshold keeps a real but negligible change from failing the gate.
/// </summary>
public static class RegressionComparer
{
    private static readonly Probability Median = Probability.Half;

    /// <summary>Compares the base's and the head's measurements of the same case.</summary>
    public static BenchmarkComparison Compare(string name, BenchmarkSamples? baseSamples, BenchmarkSamples? headSamples, ComparisonSettings settings) =>
        CompareCore(name, baseSamples, headSamples, settings) with
        {
            BaseLaunchMedians = baseSamples?.NanosecondsPerOperation ?? [],
            HeadLaunchMedians = headSamples?.NanosecondsPerOperation ?? [],
        };

    private static BenchmarkComparison CompareCore(string name, BenchmarkSamples? baseSamples, BenchmarkSamples? headSamples, ComparisonSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int baseCount = baseSamples?.NanosecondsPerOperation.Count ?? 0;
        int headCount = headSamples?.NanosecondsPerOperation.Count ?? 0;
        long? baseAllocated = baseSamples?.AllocatedBytesPerOperation;
        long? headAllocated = headSamples?.AllocatedBytesPerOperation;
        // The 0 B promise is absolute: it fails whatever the timing says.
        bool allocationRegression = baseAllocated == 0 && headAllocated > 0;

        string? missing = (baseSamples, headSamples) switch
        {
            (null, null) => "measured in neither build",
            (null, _) => "new in the head: nothing to compare with",
            (_, null) => "missing from the head's run",
            _ when baseCount < settings.MinimumSamples || headCount < settings.MinimumSamples => string.Create(
                CultureInfo.InvariantCulture,
                $"too few samples: {baseCount} base and {headCount} head launches, at least {settings.MinimumSamples} each needed"),
            _ => null,
        };
        if (missing is not null)
        {
            double baseMedian = baseCount > 0 ? MedianOf(baseSamples!) : double.NaN;
            double headMedian = headCount > 0 ? MedianOf(headSamples!) : double.NaN;
            return new BenchmarkComparison(
                name, Verdict.Inconclusive, baseMedian, headMedian, headMedian / baseMedian, double.NaN, double.NaN, 1 - settings.Alpha,
                double.NaN, double.NaN, baseCount, headCount, settings.ThresholdPercent, baseAllocated, headAllocated, allocationRegression, missing);
        }

        var x = new Sample([.. baseSamples!.NanosecondsPerOperation]);
        var y = new Sample([.. headSamples!.NanosecondsPerOperation]);
        (double ratio, double lower, double upper) = MedianRatio(x, y, 1 - settings.Alpha);

        Threshold threshold = Threshold.Parse(settings.ThresholdPercent.ToString("0.###", CultureInfo.InvariantCulture) + "%");
        // "Greater" of (y, x): y is stochastically greater than x scaled up by the threshold.
        double pSlower = MannWhitneyTest.Instance.Perform(y, x, AlternativeHypothesis.Greater, threshold).PValue;
        double pFaster = MannWhitneyTest.Instance.Perform(x, y, AlternativeHypothesis.Greater, threshold).PValue;
        Verdict verdict = pSlower < settings.Alpha ? Verdict.Slower
            : pFaster < settings.Alpha ? Verdict.Faster
            : Verdict.Same;

        return new BenchmarkComparison(
            name, verdict, MedianOf(baseSamples), MedianOf(headSamples), ratio, lower, upper, 1 - settings.Alpha,
            pSlower, pFaster, baseCount, headCount, settings.ThresholdPercent, baseAllocated, headAllocated, allocationRegression, string.Empty);
    }

    /// <summary>
    /// The ratio of the Harrell-Davis medians and its confidence interval. Perfolizer gives each
    /// median's standard error; the ratio's interval is built on the log scale (where the ratio is a
    /// difference and the two errors add in quadrature) with Perfolizer's Student-t interval estimator.
    /// </summary>
    private static (double Ratio, double Lower, double Upper) MedianRatio(Sample x, Sample y, double confidence)
    {
        ConfidenceIntervalEstimator baseMedian = HarrellDavisQuantileEstimator.Instance.QuantileConfidenceIntervalEstimator(x, Median);
        ConfidenceIntervalEstimator headMedian = HarrellDavisQuantileEstimator.Instance.QuantileConfidenceIntervalEstimator(y, Median);
        double logRatio = Math.Log(headMedian.Estimation / baseMedian.Estimation);
        double relativeErrorBase = baseMedian.StandardError / baseMedian.Estimation;
        double relativeErrorHead = headMedian.StandardError / headMedian.Estimation;
        double standardError = Math.Sqrt((relativeErrorBase * relativeErrorBase) + (relativeErrorHead * relativeErrorHead));
        ConfidenceInterval interval = new ConfidenceIntervalEstimator(Math.Min(x.Size, y.Size), logRatio, standardError)
            .ConfidenceInterval(new ConfidenceLevel(confidence));
        return (Math.Exp(logRatio), Math.Exp(interval.Lower), Math.Exp(interval.Upper));
    }

    private static double MedianOf(BenchmarkSamples samples) =>
        HarrellDavisQuantileEstimator.Instance.Quantile(new Sample([.. samples.NanosecondsPerOperation]), Median).NominalValue;
}

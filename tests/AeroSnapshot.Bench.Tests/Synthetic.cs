using AeroSnapshot.Regress;
using Perfolizer.Mathematics.Distributions.ContinuousDistributions;

namespace AeroSnapshot.Bench.Tests;

/// <summary>Benchmark-like samples (launch medians, in nanoseconds per operation) with a given centre and noise, from a fixed seed.</summary>
internal static class Synthetic
{
    /// <summary>Normal noise around <paramref name="median"/> with the given relative standard deviation.</summary>
    public static double[] Normal(int seed, int count, double median, double relativeSd) =>
        new NormalDistribution(median, median * relativeSd).Random(new Random(seed)).Next(count);

    /// <summary>
    /// Two modes (say, two code layouts or a neighbour's build): each value comes from the slow mode,
    /// <paramref name="slowFactor"/> times the fast one, with probability <paramref name="slowShare"/>.
    /// </summary>
    public static double[] Bimodal(int seed, int count, double fastMedian, double slowFactor, double slowShare, double relativeSd)
    {
        var random = new Random(seed);
        var fast = new NormalDistribution(fastMedian, fastMedian * relativeSd).Random(random);
        var slow = new NormalDistribution(fastMedian * slowFactor, fastMedian * slowFactor * relativeSd).Random(random);
        return [.. Enumerable.Range(0, count).Select(_ => random.NextDouble() < slowShare ? slow.Next() : fast.Next())];
    }

    public static BenchmarkSamples Samples(double[] values, long? allocated = 0) => new("Case", values, allocated, Iterations: values.Length * 8);
}

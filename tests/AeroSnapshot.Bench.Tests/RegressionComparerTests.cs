using AeroSnapshot.Regress;

namespace AeroSnapshot.Bench.Tests;

public class RegressionComparerTests
{
    private static readonly ComparisonSettings Cpu = ComparisonSettings.CpuBound;

    private static BenchmarkComparison Compare(double[] baseValues, double[] headValues, long? baseAllocated = 0, long? headAllocated = 0) =>
        RegressionComparer.Compare("Case", Synthetic.Samples(baseValues, baseAllocated), Synthetic.Samples(headValues, headAllocated), Cpu);

    [Fact]
    public void No_change_is_same_for_every_one_of_fifty_seeds()
    {
        // 50 A/A comparisons of 50 iterations with 3 % noise: at alpha 0.01 against a 5 % threshold
        // not one may fail, and each interval must contain 1.
        for (int seed = 0; seed < 50; seed++)
        {
            BenchmarkComparison result = Compare(Synthetic.Normal(seed, 50, 1000, 0.03), Synthetic.Normal(seed + 1000, 50, 1000, 0.03));
            Assert.Equal(Verdict.Same, result.Verdict);
            Assert.False(result.Fails);
            Assert.InRange(1.0, result.RatioLower, result.RatioUpper);
        }
    }

    [Fact]
    public void A_ten_percent_slowdown_is_slower_with_the_right_ratio()
    {
        BenchmarkComparison result = Compare(Synthetic.Normal(1, 50, 1000, 0.03), Synthetic.Normal(2, 50, 1100, 0.03));
        Assert.Equal(Verdict.Slower, result.Verdict);
        Assert.True(result.Fails);
        Assert.InRange(result.Ratio, 1.07, 1.13);
        Assert.InRange(1.10, result.RatioLower, result.RatioUpper);
        Assert.True(result.RatioLower > 1.0, $"the interval [{result.RatioLower}; {result.RatioUpper}] should exclude 1");
        Assert.True(result.PValueSlower < 0.01);
    }

    [Fact]
    public void A_ten_percent_speed_up_is_faster_and_passes()
    {
        BenchmarkComparison result = Compare(Synthetic.Normal(3, 50, 1100, 0.03), Synthetic.Normal(4, 50, 1000, 0.03));
        Assert.Equal(Verdict.Faster, result.Verdict);
        Assert.False(result.Fails);
        Assert.InRange(result.Ratio, 0.88, 0.94);
    }

    [Fact]
    public void A_real_slowdown_below_the_threshold_is_same()
    {
        // 2 % slower with 0.5 % noise: real, and visible in the interval, but under the 5 % bar.
        BenchmarkComparison result = Compare(Synthetic.Normal(5, 50, 1000, 0.005), Synthetic.Normal(6, 50, 1020, 0.005));
        Assert.Equal(Verdict.Same, result.Verdict);
        Assert.True(result.RatioLower > 1.0);
    }

    [Fact]
    public void Bimodal_noise_on_both_sides_is_same()
    {
        // A third of the iterations 30 % slower on both sides (a noisy neighbour): the mean moves
        // with the mix, the rank test must not.
        for (int seed = 0; seed < 20; seed++)
        {
            double[] baseValues = Synthetic.Bimodal(seed, 50, 1000, 1.3, 0.33, 0.02);
            double[] headValues = Synthetic.Bimodal(seed + 500, 50, 1000, 1.3, 0.33, 0.02);
            Assert.Equal(Verdict.Same, Compare(baseValues, headValues).Verdict);
        }
    }

    [Fact]
    public void A_ten_percent_slowdown_under_bimodal_noise_is_still_slower()
    {
        double[] baseValues = Synthetic.Bimodal(7, 60, 1000, 1.3, 0.2, 0.02);
        double[] headValues = Synthetic.Bimodal(8, 60, 1100, 1.3, 0.2, 0.02);
        Assert.Equal(Verdict.Slower, Compare(baseValues, headValues).Verdict);
    }

    [Fact]
    public void Too_few_samples_is_inconclusive_even_when_far_apart()
    {
        BenchmarkComparison result = Compare([1000, 1001, 999, 1000], [2000, 2001, 1999, 2000]);
        Assert.Equal(Verdict.Inconclusive, result.Verdict);
        Assert.False(result.Fails);
        Assert.Contains("too few samples", result.Note, StringComparison.Ordinal);
        Assert.True(double.IsNaN(result.PValueSlower));
    }

    [Fact]
    public void An_allocation_where_the_base_allocated_nothing_fails_whatever_the_timing()
    {
        double[] same = Synthetic.Normal(9, 50, 1000, 0.03);
        BenchmarkComparison result = Compare(same, same, baseAllocated: 0, headAllocated: 24);
        Assert.Equal(Verdict.Same, result.Verdict);
        Assert.True(result.AllocationRegression);
        Assert.True(result.Fails);
    }

    [Fact]
    public void More_allocation_where_the_base_already_allocated_is_not_an_allocation_failure()
    {
        double[] same = Synthetic.Normal(10, 50, 1000, 0.03);
        BenchmarkComparison result = Compare(same, same, baseAllocated: 1000, headAllocated: 2000);
        Assert.False(result.AllocationRegression);
        Assert.False(result.Fails);
    }

    [Fact]
    public void A_benchmark_only_in_the_head_is_inconclusive_but_does_not_fail()
    {
        BenchmarkComparison result = RegressionComparer.Compare("New", null, Synthetic.Samples(Synthetic.Normal(11, 50, 1000, 0.03)), Cpu);
        Assert.Equal(Verdict.Inconclusive, result.Verdict);
        Assert.False(result.Fails);
    }
}

using AeroSnapshot.Regress;

namespace AeroSnapshot.Bench.Tests;

public class RegressionReportTests
{
    private static Dictionary<string, BenchmarkSamples> Build(params (string Name, double[] Values, long? Allocated)[] cases) =>
        cases.ToDictionary(c => c.Name, c => new BenchmarkSamples(c.Name, c.Values, c.Allocated, c.Values.Length * 8), StringComparer.Ordinal);

    [Fact]
    public void The_gate_passes_when_nothing_changed()
    {
        RegressionReport report = RegressionReport.Create(
            "base", "head",
            Build(("A", Synthetic.Normal(1, 40, 500, 0.02), 0), ("B", Synthetic.Normal(2, 40, 9000, 0.02), 100)),
            Build(("A", Synthetic.Normal(3, 40, 500, 0.02), 0), ("B", Synthetic.Normal(4, 40, 9000, 0.02), 100)),
            ComparisonSettings.CpuBound);
        Assert.Equal(RegressionReport.Pass, report.ExitCode);
        Assert.Equal(["A", "B"], report.Comparisons.Select(c => c.Name));
    }

    [Fact]
    public void One_slower_benchmark_fails_the_gate()
    {
        RegressionReport report = RegressionReport.Create(
            "base", "head",
            Build(("A", Synthetic.Normal(1, 40, 500, 0.02), 0), ("B", Synthetic.Normal(2, 40, 9000, 0.02), 0)),
            Build(("A", Synthetic.Normal(3, 40, 500, 0.02), 0), ("B", Synthetic.Normal(4, 40, 10_000, 0.02), 0)),
            ComparisonSettings.CpuBound);
        Assert.Equal(RegressionReport.Regression, report.ExitCode);
        Assert.Equal(Verdict.Slower, report.Comparisons.Single(c => c.Name == "B").Verdict);
    }

    [Fact]
    public void Too_few_samples_make_the_gate_undecided_not_passed()
    {
        RegressionReport report = RegressionReport.Create(
            "base", "head", Build(("A", [1, 2, 3], 0)), Build(("A", [1, 2, 3], 0)), ComparisonSettings.CpuBound);
        Assert.Equal(RegressionReport.Undecided, report.ExitCode);
    }

    [Fact]
    public void The_io_threshold_lets_a_ten_percent_change_pass_that_the_cpu_threshold_fails()
    {
        double[] before = Synthetic.Normal(5, 40, 1000, 0.01);
        double[] after = Synthetic.Normal(6, 40, 1100, 0.01);
        Assert.Equal(RegressionReport.Regression, RegressionReport.Create("b", "h", Build(("A", before, null)), Build(("A", after, null)), ComparisonSettings.CpuBound).ExitCode);
        Assert.Equal(RegressionReport.Pass, RegressionReport.Create("b", "h", Build(("A", before, null)), Build(("A", after, null)), ComparisonSettings.IoBound).ExitCode);
    }

    [Fact]
    public void The_markdown_and_json_reports_name_the_verdict_and_the_exit_code()
    {
        RegressionReport report = RegressionReport.Create(
            "main (abc)", "working tree",
            Build(("Crc", Synthetic.Normal(1, 40, 500, 0.02), 0)),
            Build(("Crc", Synthetic.Normal(2, 40, 600, 0.02), 0)),
            ComparisonSettings.CpuBound);
        string markdown = ReportWriter.ToMarkdown(report);
        string json = ReportWriter.ToJson(report);
        Assert.Contains("| Crc |", markdown, StringComparison.Ordinal);
        Assert.Contains("**Slower**", markdown, StringComparison.Ordinal);
        Assert.Contains("(exit 1)", markdown, StringComparison.Ordinal);
        Assert.Contains("\"Verdict\": \"Slower\"", json, StringComparison.Ordinal);
        Assert.Contains("\"ExitCode\": 1", json, StringComparison.Ordinal);
    }
}

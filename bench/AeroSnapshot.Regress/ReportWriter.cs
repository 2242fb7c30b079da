using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AeroSnapshot.Regress;

/// <summary>Writes the gate's report as GitHub markdown (for people) and JSON (for tools).</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The report as JSON, with the gate's exit code.</summary>
    public static string ToJson(RegressionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonSerializer.Serialize(
            new { report.BaseLabel, report.HeadLabel, report.Settings, report.ExitCode, report.Comparisons },
            JsonOptions);
    }

    /// <summary>The report as a GitHub markdown table, failures first marked.</summary>
    public static string ToMarkdown(RegressionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        text.AppendLine("# Benchmark regression check").AppendLine();
        text.AppendLine(c, $"- base: `{report.BaseLabel}`");
        text.AppendLine(c, $"- head: `{report.HeadLabel}`");
        text.AppendLine(c, $"- threshold {report.Settings.ThresholdPercent:0.##} %, one-sided Mann-Whitney at alpha {report.Settings.Alpha:0.###}, ratio interval at {1 - report.Settings.Alpha:P0}, each value a launch's median, at least {report.Settings.MinimumSamples} launches a side");
        text.AppendLine(c, $"- result: **{Outcome(report.ExitCode)}** (exit {report.ExitCode})").AppendLine();
        text.AppendLine("| Benchmark | Base median | Head median | Ratio | CI | p(slower) | p(faster) | launches base/head | Alloc base/head | Verdict |");
        text.AppendLine("|---|--:|--:|--:|:-:|--:|--:|--:|--:|---|");
        foreach (BenchmarkComparison r in report.Comparisons)
        {
            string verdict = r.AllocationRegression ? $"**{r.Verdict}, allocates**" : r.Fails ? $"**{r.Verdict}**" : r.Verdict.ToString();
            if (r.Note.Length > 0)
            {
                verdict += $" ({r.Note})";
            }

            text.AppendLine(c, $"| {Escape(r.Name)} | {Time(r.BaseMedianNs)} | {Time(r.HeadMedianNs)} | {Number(r.Ratio, "0.000")} | {Interval(r)} | {Number(r.PValueSlower, "0.####")} | {Number(r.PValueFaster, "0.####")} | {r.BaseSamples}/{r.HeadSamples} | {Bytes(r.BaseAllocatedBytes)}/{Bytes(r.HeadAllocatedBytes)} | {verdict} |");
        }

        return text.ToString();
    }

    private static string Outcome(int exitCode) => exitCode switch
    {
        RegressionReport.Pass => "no regression",
        RegressionReport.Regression => "regression",
        _ => "undecided (too few samples)",
    };

    private static string Escape(string name) => name.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Number(double value, string format) => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Interval(BenchmarkComparison r) => double.IsNaN(r.RatioLower)
        ? "-"
        : string.Create(CultureInfo.InvariantCulture, $"[{r.RatioLower:0.000}; {r.RatioUpper:0.000}]");

    private static string Bytes(long? bytes) => bytes?.ToString(CultureInfo.InvariantCulture) + (bytes is null ? "-" : " B");

    private static string Time(double ns) => ns switch
    {
        double.NaN => "-",
        < 1e3 => string.Create(CultureInfo.InvariantCulture, $"{ns:0.00} ns"),
        < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e3:0.00} us"),
        < 1e9 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:0.00} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e9:0.00} s"),
    };
}

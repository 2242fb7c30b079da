using System.Globalization;

namespace AeroSnapshot.Regress;

/// <summary>
/// <c>AeroSnapshot.Regress --base DIR... --head DIR... [--io] [--threshold PCT] [--alpha A]
/// [--min-samples N] [--base-label S] [--head-label S] --out DIR</c>: compares the BenchmarkDotNet
/// full JSON reports under the base directories with those under the head directories, prints the
/// markdown report, writes <c>report.md</c> and <c>report.json</c> into the output directory, and
/// exits 0 (no regression), 1 (regression) or 2 (undecided, or bad arguments). bench/scripts/regress.sh
/// runs the benchmarks and then this.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            return Run(args);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"regress: {e.Message}");
            return RegressionReport.Undecided;
        }
    }

    private static int Run(string[] args)
    {
        var baseDirectories = new List<string>();
        var headDirectories = new List<string>();
        ComparisonSettings settings = ComparisonSettings.CpuBound;
        double? threshold = null;
        double? alpha = null;
        int? minimumSamples = null;
        string? output = null;
        string baseLabel = "base";
        string headLabel = "head";
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--base": baseDirectories.Add(Value()); break;
                case "--head": headDirectories.Add(Value()); break;
                case "--io": settings = ComparisonSettings.IoBound; break;
                case "--threshold": threshold = ParsePositive(args[i], Value()); break;
                case "--alpha": alpha = ParsePositive(args[i], Value()); break;
                case "--min-samples": minimumSamples = (int)ParsePositive(args[i], Value()); break;
                case "--out": output = Value(); break;
                case "--base-label": baseLabel = Value(); break;
                case "--head-label": headLabel = Value(); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        if (baseDirectories.Count == 0 || headDirectories.Count == 0 || output is null)
        {
            throw new ArgumentException("usage: --base DIR... --head DIR... --out DIR [--io] [--threshold PCT] [--alpha A] [--min-samples N] [--base-label S] [--head-label S]");
        }

        settings = settings with
        {
            ThresholdPercent = threshold ?? settings.ThresholdPercent,
            Alpha = alpha ?? settings.Alpha,
            MinimumSamples = minimumSamples ?? settings.MinimumSamples,
        };
        RegressionReport report = RegressionReport.Create(
            baseLabel, headLabel, BenchmarkDotNetReports.Load(baseDirectories), BenchmarkDotNetReports.Load(headDirectories), settings);
        if (report.Comparisons.Count == 0)
        {
            throw new InvalidDataException("no benchmark results found under the base or head directories");
        }

        string markdown = ReportWriter.ToMarkdown(report);
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Join(output, "report.md"), markdown);
        File.WriteAllText(Path.Join(output, "report.json"), ReportWriter.ToJson(report));
        Console.WriteLine(markdown);
        return report.ExitCode;
    }

    private static double ParsePositive(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0
            ? value
            : throw new ArgumentException($"{option} needs a positive number, not '{text}'");
}

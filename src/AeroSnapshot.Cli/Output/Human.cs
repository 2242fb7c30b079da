using System.Globalization;

namespace AeroSnapshot.Cli.Output;

/// <summary>Durations and rates for people.</summary>
internal static class Human
{
    /// <summary><c>840 µs</c>, <c>532 ms</c>, <c>1.23 s</c>, <c>2 min 03 s</c>.</summary>
    public static string Duration(TimeSpan elapsed)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        if (elapsed.TotalMilliseconds < 1)
        {
            return string.Create(c, $"{elapsed.TotalMicroseconds:0} µs");
        }

        if (elapsed.TotalMilliseconds < 10)
        {
            return string.Create(c, $"{elapsed.TotalMilliseconds:0.0} ms");
        }

        if (elapsed.TotalSeconds < 1)
        {
            return string.Create(c, $"{elapsed.TotalMilliseconds:0} ms");
        }

        if (elapsed.TotalSeconds < 60)
        {
            return string.Create(c, $"{elapsed.TotalSeconds:0.00} s");
        }

        return string.Create(c, $"{(int)elapsed.TotalMinutes} min {elapsed.Seconds:00} s");
    }

    /// <summary>Throughput in decimal megabytes per second (the unit disks are rated in), or null when not measurable.</summary>
    public static double? MegabytesPerSecond(long bytes, TimeSpan elapsed)
        => elapsed > TimeSpan.Zero && bytes > 0 ? bytes / 1e6 / elapsed.TotalSeconds : null;

    /// <summary><c>482.1 MB/s</c>, <c>2.61 GB/s</c>, or <c>n/a</c>.</summary>
    public static string Rate(long bytes, TimeSpan elapsed)
        => MegabytesPerSecond(bytes, elapsed) is { } mbps ? Rate(mbps) : "n/a";

    /// <summary>A rate given in decimal megabytes per second.</summary>
    public static string Rate(double mbps)
    {
        return mbps >= 1000
            ? string.Create(CultureInfo.InvariantCulture, $"{mbps / 1000:0.00} GB/s")
            : string.Create(CultureInfo.InvariantCulture, $"{mbps:0.0} MB/s");
    }

    /// <summary><c>1 file</c>, <c>3 files</c>.</summary>
    public static string Count(long count, string singular, string? plural = null)
        => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? singular : plural ?? singular + "s")}");
}

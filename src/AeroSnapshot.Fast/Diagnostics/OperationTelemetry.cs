using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AeroSnapshot.Fast.Diagnostics;

/// <summary>
/// The span and metrics the attempt frame records for one kind of public operation, so that no
/// operation writes telemetry code of its own: a span <see cref="ActivityName"/> with a child span
/// per step, a duration histogram <c>&lt;prefix&gt;.duration</c> in seconds tagged with
/// <c>aerosnap.outcome</c> (and <c>error.type</c> on failure), and a failure counter
/// <c>&lt;prefix&gt;.failed</c> tagged with <c>error.type</c> and <c>aerosnap.step</c>.
/// </summary>
/// <remarks>
/// The histograms carry explicit bucket boundaries from 1 ms to 30 min (<see cref="SnapshotTelemetry.DurationBuckets"/>):
/// an OpenTelemetry exporter's default boundaries are for milliseconds (0 to 10,000), and would put
/// every operation measured in seconds, from a 5 ms pause to a ten-minute backup, in the first few
/// buckets.
/// </remarks>
internal sealed class OperationTelemetry
{
    public static readonly OperationTelemetry Create = new("aerosnap.snapshot.create", "aerosnap.snapshot", "a snapshot, from the call to its return");
    public static readonly OperationTelemetry Capture = new("aerosnap.snapshot.capture", "aerosnap.snapshot.capture", "a snapshot's capture (the write pause)");
    public static readonly OperationTelemetry Complete = new("aerosnap.snapshot.complete", "aerosnap.snapshot.complete", "a captured snapshot's completion, after the pause");
    public static readonly OperationTelemetry Precopy = new("aerosnap.precopy", "aerosnap.precopy", "a pre-copy, before the pause");
    public static readonly OperationTelemetry Verify = new("aerosnap.verify", "aerosnap.verify", "a snapshot's verification");
    public static readonly OperationTelemetry Discover = new("aerosnap.discover", "aerosnap.discover", "the search for the newest valid snapshot");
    public static readonly OperationTelemetry Restore = new("aerosnap.restore", "aerosnap.restore", "a restore from a snapshot");
    public static readonly OperationTelemetry Prune = new("aerosnap.prune", "aerosnap.prune", "a prune");
    public static readonly OperationTelemetry Clean = new("aerosnap.clean", "aerosnap.clean", "the removal of leftovers and the recovery of interrupted operations");
    public static readonly OperationTelemetry Checkpoint = new("aerosnap.checkpoint", "aerosnap.checkpoint", "a checkpoint (its snapshot included)");
    public static readonly OperationTelemetry Backup = new("aerosnap.backup", "aerosnap.backup", "a backup");
    public static readonly OperationTelemetry VerifyBackup = new("aerosnap.backup.verify", "aerosnap.backup.verify", "a backup archive's verification");
    public static readonly OperationTelemetry RestoreBackup = new("aerosnap.backup.restore", "aerosnap.backup.restore", "a restore from a backup");
    public static readonly OperationTelemetry ValidateWal = new("aerosnap.wal.validate", "aerosnap.wal.validate", "a WAL's validation");

    private OperationTelemetry(string activityName, string metricPrefix, string what)
    {
        ActivityName = activityName;
        Duration = SnapshotTelemetry.Meter.CreateHistogram<double>(
            metricPrefix + ".duration",
            "s",
            $"Duration of {what}, tagged with its outcome (and error.type on failure).",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SnapshotTelemetry.DurationBuckets });
        Failures = SnapshotTelemetry.Meter.CreateCounter<long>(
            metricPrefix + ".failed", "{operation}", $"Failures of {what}, tagged with error.type (the AeroDB code) and aerosnap.step.");
    }

    /// <summary>The operation's span name.</summary>
    public string ActivityName { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> Failures { get; }

    /// <summary>The operation's span, or null when nobody listens.</summary>
    public Activity? Start() => SnapshotTelemetry.Source.StartActivity(ActivityName);

    /// <summary>Records a success that took <paramref name="elapsed"/>.</summary>
    public void Succeeded(TimeSpan elapsed, Activity? activity, string outcome)
    {
        if (Duration.Enabled)
        {
            Duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(SnapshotTelemetry.OutcomeTag, outcome));
        }

        activity?.SetTag(SnapshotTelemetry.OutcomeTag, outcome);
    }

    /// <summary>Records a failure (cancellation included) that started at <paramref name="start"/>.</summary>
    public void Failed(long start, Activity? activity, Exception failure)
    {
        SnapshotTelemetry.Fail(activity, failure);
        if (!Duration.Enabled && !Failures.Enabled)
        {
            return;
        }

        var errorType = new KeyValuePair<string, object?>(SnapshotTelemetry.ErrorTypeTag, SnapshotTelemetry.ErrorType(failure));
        var step = new KeyValuePair<string, object?>(SnapshotTelemetry.StepTag, failure is SnapshotException { Step: { } failedStep } ? failedStep.ToString() : "none");
        Failures.Add(1, errorType, step);
        Duration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, new KeyValuePair<string, object?>(SnapshotTelemetry.OutcomeTag, "failure"), errorType);
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using AeroSnapshot.Fast.Creation;

namespace AeroSnapshot.Fast.Diagnostics;

/// <summary>
/// The library's metrics and traces: one <see cref="Meter"/> and one <see cref="ActivitySource"/>,
/// both named <see cref="Name"/>, built on the runtime's own System.Diagnostics types so that any
/// OpenTelemetry SDK (or <c>dotnet-counters</c>, or a <see cref="MeterListener"/>) can collect them
/// without the library depending on OpenTelemetry. Names and units follow the OpenTelemetry
/// semantic conventions: dotted lowercase names, UCUM units (<c>s</c>, <c>By</c>), <c>error.type</c>
/// for the failure's code. When nothing listens, an instrument's <c>Enabled</c> is false and
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null: the cost is a
/// branch, and nothing is allocated (pinned by <c>TelemetryTests</c>).
/// </summary>
internal static class SnapshotTelemetry
{
    /// <summary>The meter's and the activity source's name.</summary>
    public const string Name = "AeroSnapshot.Fast";

    public const string OutcomeTag = "aerosnap.outcome";
    public const string StepTag = "aerosnap.step";
    public const string ErrorTypeTag = "error.type";
    public const string StorageCopyTag = "aerosnap.storage.copy";

    private static readonly string? Version = typeof(SnapshotTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly Meter Meter = new(Name, Version);

    public static readonly ActivitySource Source = new(Name, Version);

    public static readonly Histogram<double> SnapshotDuration = Meter.CreateHistogram<double>(
        "aerosnap.snapshot.duration", "s", "Duration of a snapshot, from the call to its return (success or failure).");

    public static readonly Histogram<double> SnapshotPause = Meter.CreateHistogram<double>(
        "aerosnap.snapshot.pause.duration", "s", "Time a successful snapshot ran under the global execution lock: the writes pause AeroDB's users feel.");

    public static readonly Counter<long> SnapshotBytes = Meter.CreateCounter<long>(
        "aerosnap.snapshot.copied", "By", "Bytes written into published snapshots (storage, schemas, manifest).");

    public static readonly Counter<long> SnapshotsCreated = Meter.CreateCounter<long>(
        "aerosnap.snapshot.created", "{snapshot}", "Snapshots published.");

    public static readonly Counter<long> SnapshotsFailed = Meter.CreateCounter<long>(
        "aerosnap.snapshot.failed", "{snapshot}", "Snapshots that failed, tagged with error.type (the AeroDB code) and aerosnap.step.");

    public static readonly Histogram<double> VerifyDuration = Meter.CreateHistogram<double>(
        "aerosnap.verify.duration", "s", "Duration of a snapshot verification, tagged with its outcome (valid, corrupt, failed).");

    public static readonly Histogram<double> RestoreDuration = Meter.CreateHistogram<double>(
        "aerosnap.restore.duration", "s", "Duration of a restore, tagged with its outcome (success, failed) and error.type.");

    public static readonly Histogram<double> PruneDuration = Meter.CreateHistogram<double>(
        "aerosnap.prune.duration", "s", "Duration of a prune, tagged with its outcome (success, failed) and error.type.");

    public static readonly Counter<long> SnapshotsPruned = Meter.CreateCounter<long>(
        "aerosnap.prune.deleted", "{snapshot}", "Valid snapshots deleted by prune.");

    /// <summary>Records a published snapshot.</summary>
    public static void RecordCreated(SnapshotResult result, Activity? activity, bool pauseRecorded = false)
    {
        var copy = new KeyValuePair<string, object?>(StorageCopyTag, result.StorageCopy == StorageCopyMethod.Reflinked ? "reflink" : "streamed");
        if (SnapshotDuration.Enabled)
        {
            SnapshotDuration.Record(result.Duration.TotalSeconds, new KeyValuePair<string, object?>(OutcomeTag, "success"), copy);
        }

        if (SnapshotPause.Enabled && !pauseRecorded)
        {
            SnapshotPause.Record(result.Pause.TotalSeconds, copy);
        }

        SnapshotBytes.Add(result.Bytes, copy);
        SnapshotsCreated.Add(1, copy);
        if (activity is not null)
        {
            activity.SetTag("aerosnap.snapshot.id", result.Id.ToString());
            activity.SetTag("aerosnap.snapshot.bytes", result.Bytes);
            activity.SetTag("aerosnap.snapshot.files", result.Files);
            activity.SetTag(StorageCopyTag, copy.Value);
        }
    }

    /// <summary>A capture's pause, recorded when the capture returns (its completion records the rest).</summary>
    public static void RecordCaptured(TimeSpan pause, StorageCopyMethod storageCopy, Activity? activity)
    {
        var copy = new KeyValuePair<string, object?>(StorageCopyTag, storageCopy == StorageCopyMethod.Reflinked ? "reflink" : "streamed");
        if (SnapshotPause.Enabled)
        {
            SnapshotPause.Record(pause.TotalSeconds, copy);
        }

        activity?.SetTag(StorageCopyTag, copy.Value);
    }

    /// <summary>Records a snapshot that failed, with its code and step.</summary>
    public static void RecordFailed(Exception failure, TimeSpan elapsed, Activity? activity)
    {
        Fail(activity, failure);
        if (!SnapshotsFailed.Enabled && !SnapshotDuration.Enabled)
        {
            return;
        }

        var errorType = new KeyValuePair<string, object?>(ErrorTypeTag, ErrorType(failure));
        var step = new KeyValuePair<string, object?>(StepTag, failure is SnapshotException { Step: { } failedStep } ? failedStep.ToString() : "none");
        SnapshotsFailed.Add(1, errorType, step);
        SnapshotDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(OutcomeTag, "failure"), errorType);
    }

    /// <summary>Records one read-side operation's duration with its outcome.</summary>
    public static void RecordDuration(Histogram<double> histogram, long startTimestamp, string outcome, Exception? failure = null)
    {
        if (!histogram.Enabled)
        {
            return;
        }

        double seconds = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        if (failure is null)
        {
            histogram.Record(seconds, new KeyValuePair<string, object?>(OutcomeTag, outcome));
        }
        else
        {
            histogram.Record(seconds, new KeyValuePair<string, object?>(OutcomeTag, outcome), new KeyValuePair<string, object?>(ErrorTypeTag, ErrorType(failure)));
        }
    }

    /// <summary>The outcome tag value for an exception that ended an operation.</summary>
    public static string ErrorType(Exception failure) => failure switch
    {
        SnapshotException snapshot => snapshot.Code,
        OperationCanceledException => "cancelled",
        _ => failure.GetType().FullName ?? "error",
    };

    /// <summary>Marks <paramref name="activity"/> failed with the error's code, step and message.</summary>
    public static void Fail(Activity? activity, Exception failure)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, failure.Message);
        activity.SetTag(ErrorTypeTag, ErrorType(failure));
        if (failure is SnapshotException { Step: { } step })
        {
            activity.SetTag(StepTag, step.ToString());
        }
    }
}

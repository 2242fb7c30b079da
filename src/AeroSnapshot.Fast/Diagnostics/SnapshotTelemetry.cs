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

    /// <summary>Duration buckets in seconds: pauses of milliseconds to operations of minutes, about three a decade (see <see cref="OperationTelemetry"/>).</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 150, 300, 600, 1800];

    public static readonly Meter Meter = new(Name, Version);

    public static readonly ActivitySource Source = new(Name, Version);

    public static readonly Histogram<double> SnapshotPause = Meter.CreateHistogram<double>(
        "aerosnap.snapshot.pause.duration",
        "s",
        "Time a successful snapshot ran under the global execution lock: the writes pause AeroDB's users feel.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    public static readonly Counter<long> SnapshotBytes = Meter.CreateCounter<long>(
        "aerosnap.snapshot.copied", "By", "Bytes written into published snapshots (storage, schemas, manifest).");

    public static readonly Counter<long> SnapshotsCreated = Meter.CreateCounter<long>(
        "aerosnap.snapshot.created", "{snapshot}", "Snapshots published.");

    public static readonly Counter<long> SnapshotsPruned = Meter.CreateCounter<long>(
        "aerosnap.prune.deleted", "{snapshot}", "Valid snapshots deleted by prune.");

    /// <summary>Records a published snapshot.</summary>
    public static void RecordCreated(SnapshotResult result, Activity? activity, bool pauseRecorded = false)
    {
        var copy = new KeyValuePair<string, object?>(StorageCopyTag, result.StorageCopy == StorageCopyMethod.Reflinked ? "reflink" : "streamed");
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
            if (result.Precopy is { } precopy)
            {
                // Which path the pause took: the tail appended, or a full copy and why (Precopy/).
                activity.SetTag("aerosnap.precopy.storage", precopy.Storage.ToString());
            }
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

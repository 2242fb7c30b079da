using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;

namespace AeroSnapshot.Fast.Pruning;

/// <summary>
/// A prune in the attempt frame: its steps (read, rename aside, sync, delete, sync) timed and
/// hooked, its failures classified and logged, its span and metrics recorded. Nothing to undo: a
/// snapshot half deleted is under its <c>.deleting-</c> name, a leftover clean removes.
/// </summary>
internal sealed class PruneAttempt(string dataDirectory, RetentionPolicy policy, bool preview, SnapshotOptions options, AlignedBufferPool buffers)
    : OperationAttempt<PruneResult>(options, recorder: null, SnapshotStep.Read, OperationTelemetry.Prune)
{
    private readonly SnapshotOptions _options = options;

    protected override string Describe(SnapshotStep step) => $"Prune step {step}";

    protected override string Component => "snapshot";

    protected override PruneResult RunSteps()
    {
        long start = Stopwatch.GetTimestamp();
        PruneResult result = new SnapshotPruner(_options, buffers, Steps).Prune(dataDirectory, policy, preview);
        return result with { Duration = Stopwatch.GetElapsedTime(start) };
    }

    protected override Exception? CleanUp() => null;

    protected override void TagSpan(Activity activity)
    {
        activity.SetTag("aerosnap.data_dir", dataDirectory);
        activity.SetTag("aerosnap.prune.policy", policy.ToString());
        activity.SetTag("aerosnap.prune.preview", preview);
    }

    protected override TimeSpan? Elapsed(PruneResult result) => result.Duration;

    protected override void Succeeded(PruneResult result, Activity? activity)
    {
        if (!preview)
        {
            SnapshotTelemetry.SnapshotsPruned.Add(result.Deleted.Count);
        }

        activity?.SetTag("aerosnap.prune.deleted", result.Deleted.Count);
    }
}

using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// A capture's completion in its frame (<see cref="SnapshotCapture.Complete"/>), after the caller
/// released the lock. A failure removes the captured staging directory (and a publication not yet
/// durable): nothing becomes visible.
/// </summary>
internal sealed class SnapshotCompletionAttempt(CapturedSnapshot captured, AlignedBufferPool buffers)
    : OperationAttempt<SnapshotResult>(captured.Options, captured.Recorder, SnapshotStep.WriteManifest, OperationTelemetry.Complete)
{
    protected override string Describe(SnapshotStep step) => $"Snapshot step {step}";

    protected override string Component => "snapshot";

    protected override SnapshotResult RunSteps() => new SnapshotCompleter(captured, buffers).Run(Steps);

    protected override Exception? CleanUp()
    {
        captured.Dispose();
        return captured.Removal.Run(captured.Options.Logger);
    }

    protected override void TagSpan(Activity activity) => activity.SetTag("aerosnap.data_dir", captured.DataDirectory);

    protected override TimeSpan? Elapsed(SnapshotResult result) => result.Duration;

    protected override void Succeeded(SnapshotResult result, Activity? activity) => SnapshotTelemetry.RecordCreated(result, activity, pauseRecorded: true);
}

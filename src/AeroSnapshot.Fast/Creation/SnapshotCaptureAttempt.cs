using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// A capture in its frame (<see cref="SnapshotManager.CaptureSnapshot(string, string, string, IWalDurability, IExecutionLock, SnapshotOptions?, CancellationToken)"/>):
/// the first half of a create, with the syncs and a clone's checksum left to the completion. A
/// failure removes what it made.
/// </summary>
internal sealed class SnapshotCaptureAttempt : OperationAttempt<CapturedSnapshot>
{
    private readonly SnapshotCapturer _capturer;
    private readonly SnapshotRequest _request;
    private readonly SnapshotOptions _options;

    public SnapshotCaptureAttempt(SnapshotRequest request, SnapshotOptions options, AlignedBufferPool buffers, StepRecorder recorder)
        : base(options, recorder, SnapshotStep.CheckLock, OperationTelemetry.Capture)
    {
        _request = request;
        _options = options;
        _capturer = new SnapshotCapturer(request, options, buffers, recorder, deferSyncs: true);
    }

    protected override string Describe(SnapshotStep step) => $"Snapshot step {step}";

    protected override string Component => "snapshot";

    protected override CapturedSnapshot RunSteps() => _capturer.Run(Steps);

    protected override Exception? CleanUp()
    {
        _capturer.Abandon();
        return _capturer.Removal.Run(_options.Logger);
    }

    protected override void TagSpan(Activity activity) => activity.SetTag("aerosnap.data_dir", _request.DataDirectory);

    protected override void Succeeded(CapturedSnapshot result, Activity? activity) => SnapshotTelemetry.RecordCaptured(result.Pause, result.StorageCopy, activity);
}

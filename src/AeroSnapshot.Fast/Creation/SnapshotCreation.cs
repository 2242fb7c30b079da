using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// The one-call create in its frame: the capture and the completion back to back, while the caller
/// holds the lock, each file synced as it is copied. A failure removes the staging directory, a
/// publication not yet durable, and a <c>snapshots/</c> this snapshot made.
/// </summary>
internal sealed class SnapshotCreation : OperationAttempt<SnapshotResult>
{
    private readonly SnapshotCapturer _capturer;
    private readonly AlignedBufferPool _buffers;
    private readonly SnapshotRequest _request;
    private CapturedSnapshot? _captured;

    public SnapshotCreation(SnapshotRequest request, SnapshotOptions options, AlignedBufferPool buffers, StepRecorder recorder)
        : base(options, recorder, SnapshotStep.CheckLock, OperationTelemetry.Create)
    {
        _request = request;
        _buffers = buffers;
        _capturer = new SnapshotCapturer(request, options, buffers, recorder, deferSyncs: false);
    }

    protected override string Describe(SnapshotStep step) => $"Snapshot step {step}";

    protected override string Component => "snapshot";

    protected override SnapshotResult RunSteps()
    {
        _captured = _capturer.Run(Steps);
        return new SnapshotCompleter(_captured, _buffers).Run(Steps);
    }

    protected override Exception? CleanUp()
    {
        _capturer.Abandon();
        _captured?.Dispose();
        return _capturer.Removal.Run(_captured?.Options.Logger);
    }

    protected override void TagSpan(Activity activity) => activity.SetTag("aerosnap.data_dir", _request.DataDirectory);

    protected override TimeSpan? Elapsed(SnapshotResult result) => result.Duration;

    protected override void Succeeded(SnapshotResult result, Activity? activity) => SnapshotTelemetry.RecordCreated(result, activity);
}

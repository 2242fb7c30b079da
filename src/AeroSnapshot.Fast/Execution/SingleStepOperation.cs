using System.Diagnostics;
using AeroSnapshot.Fast.Diagnostics;

namespace AeroSnapshot.Fast.Execution;

/// <summary>
/// An operation of one step in the attempt frame (verify, discovery, verify-backup, WAL
/// validation, clean): its span, duration and outcome recorded, its failures classified under its
/// step and logged. What it makes it undoes itself (clean leaves only leftovers); nothing here to undo.
/// </summary>
internal sealed class SingleStepOperation<TResult>(
    SnapshotOptions options,
    OperationTelemetry telemetry,
    string component,
    string subject,
    SnapshotStep step,
    Func<TResult> body,
    Func<TResult, string>? outcome = null,
    KeyValuePair<string, object?> spanTag = default)
    : OperationAttempt<TResult>(options, recorder: null, step, telemetry)
{
    protected override string Describe(SnapshotStep step) => $"{subject} step {step}";

    protected override string Component => component;

    // Attributed, not entered: a one-step operation inside another (a checkpoint's WAL validation)
    // fires no step hook of its own, and its body checks for cancellation as it reads.
    protected override TResult RunSteps() => body();

    protected override Exception? CleanUp() => null;

    protected override string Outcome(TResult result) => outcome?.Invoke(result) ?? "success";

    protected override void TagSpan(Activity activity)
    {
        if (spanTag.Key is not null)
        {
            activity.SetTag(spanTag.Key, spanTag.Value);
        }
    }
}

using AeroSnapshot.Fast.Diagnostics;

namespace AeroSnapshot.Fast.Execution;

/// <summary>
/// Where an operation is in its step list. Entering a step records its timing, checks for
/// cancellation and calls the options' <see cref="SnapshotOptions.BeforeStep"/> hook (how the
/// fault-injection and power-cut suites stop an operation at an exact point); every failure is
/// reported as a failure of <see cref="Current"/>.
/// </summary>
internal sealed class StepCursor(SnapshotOptions options, StepRecorder? recorder, SnapshotStep first)
{
    /// <summary>The step now running.</summary>
    public SnapshotStep Current { get; private set; } = first;

    /// <summary>Starts <paramref name="step"/>.</summary>
    public void Enter(SnapshotStep step)
    {
        Current = step;
        recorder?.Enter(step);
        options.CancellationToken.ThrowIfCancellationRequested();
        options.BeforeStep?.Invoke(step);
    }

    /// <summary>
    /// Reports failures from here on as <paramref name="step"/>'s without starting it (no timing,
    /// no hook): a batch of schema syncs inside the copy is the sync step's work, not a new step.
    /// </summary>
    public void Attribute(SnapshotStep step) => Current = step;
}

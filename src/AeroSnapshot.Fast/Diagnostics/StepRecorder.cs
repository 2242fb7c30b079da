using System.Diagnostics;
using AeroSnapshot.Fast.Creation;

namespace AeroSnapshot.Fast.Diagnostics;

/// <summary>
/// Times the steps of one operation for its result (<see cref="SnapshotResult.Steps"/>) and, when a
/// listener wants them, opens one child span per step under the operation's span. Entering a step
/// closes the previous one; <see cref="Finish"/> closes the last.
/// </summary>
internal sealed class StepRecorder
{
    private readonly List<StepTiming> _steps = new(16);
    private readonly long _start = Stopwatch.GetTimestamp();
    private SnapshotStep? _current;
    private long _currentStart;
    private Activity? _currentActivity;

    /// <summary>The operation's own span (null when nobody listens).</summary>
    public Activity? Operation { get; set; }

    /// <summary>Time since the recorder was made (the operation began).</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    /// <summary>The timestamp the operation began, for measuring parts of it.</summary>
    public long StartTimestamp => _start;

    /// <summary>The steps finished so far, in order.</summary>
    public IReadOnlyList<StepTiming> Steps => _steps;

    public void Enter(SnapshotStep step)
    {
        long now = Stopwatch.GetTimestamp();
        Close(now);
        _current = step;
        _currentStart = now;
        if (Operation is not null)
        {
            _currentActivity = SnapshotTelemetry.Source.StartActivity(step.ToString());
        }
    }

    /// <summary>Closes the last step; on failure its span is marked failed.</summary>
    public void Finish(Exception? failure = null)
    {
        if (failure is not null)
        {
            SnapshotTelemetry.Fail(_currentActivity, failure);
        }

        Close(Stopwatch.GetTimestamp());
    }

    private void Close(long now)
    {
        if (_current is { } step)
        {
            _steps.Add(new StepTiming(step, Stopwatch.GetElapsedTime(_currentStart, now)));
            _currentActivity?.Dispose();
            _currentActivity = null;
            _current = null;
        }
    }
}

using System.Diagnostics;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.ManifestFormat;

namespace AeroSnapshot.Fast.Execution;

/// <summary>
/// The frame every public operation runs in: start its span; run the steps; on failure turn
/// whatever was thrown into the <see cref="SnapshotException"/> the caller sees, naming the step it
/// failed in and the component that failed; undo what this attempt made; attach the clean-up's own
/// failure instead of hiding the first; log once; and record the duration and the outcome
/// (<see cref="OperationTelemetry"/>). Each operation supplies only its steps, its words and its
/// clean-up.
/// </summary>
/// <typeparam name="TResult">What a successful attempt returns.</typeparam>
internal abstract class OperationAttempt<TResult>
{
    private readonly SnapshotOptions _options;
    private readonly StepRecorder? _recorder;
    private readonly OperationTelemetry _telemetry;

    /// <param name="options">The caller's options: cancellation, the step hook, the logger.</param>
    /// <param name="recorder">The step timings, finished with the failure; null when the operation keeps none.</param>
    /// <param name="first">The step a failure before the first <see cref="StepCursor.Enter"/> is reported under.</param>
    /// <param name="telemetry">The operation's span and metrics.</param>
    protected OperationAttempt(SnapshotOptions options, StepRecorder? recorder, SnapshotStep first, OperationTelemetry telemetry)
    {
        _options = options;
        _recorder = recorder;
        _telemetry = telemetry;
        Steps = new StepCursor(options, recorder, first);
    }

    /// <summary>The step now running: every failure is reported as a failure of its current step.</summary>
    protected StepCursor Steps { get; }

    /// <summary>How messages name the operation and step, e.g. "Snapshot step Publish".</summary>
    protected abstract string Describe(SnapshotStep step);

    /// <summary>The AeroDB component this operation is, named in its errors and logs (<see cref="SnapshotException.Component"/>).</summary>
    protected abstract string Component { get; }

    /// <summary>The code a malformed manifest read by this operation gets.</summary>
    protected virtual string ManifestErrorCode => SnapshotErrorCode.Manifest;

    /// <summary>Runs the attempt.</summary>
    /// <remarks>
    /// A <see cref="SimulatedCrashException"/> (a test's stand-in for a kill) passes through
    /// untouched and nothing is cleaned up, exactly as after a real crash.
    /// </remarks>
    public TResult Run()
    {
        using Activity? activity = _telemetry.Start();
        if (activity is not null)
        {
            TagSpan(activity);
            if (_recorder is not null)
            {
                _recorder.Operation = activity;
            }
        }

        long start = Stopwatch.GetTimestamp();
        try
        {
            TResult result = RunSteps();
            _telemetry.Succeeded(Elapsed(result) ?? Stopwatch.GetElapsedTime(start), activity, Outcome(result));
            Succeeded(result, activity);
            return result;
        }
        catch (Exception failure) when (failure is not SimulatedCrashException)
        {
            _recorder?.Finish(failure);
            Exception reported = Classify(failure);
            Exception? cleanupFailure = CleanUp();
            if (reported is SnapshotException error)
            {
                error.CleanupFailure ??= cleanupFailure;

                // Raised by an operation running inside this one (a checkpoint's snapshot), it was
                // named and logged by its own frame: the innermost component is the precise one.
                if (!error.Logged)
                {
                    error.Component = Component;
                    error.Logged = true;
                    _options.Logger?.LogFailure(error);
                }
            }

            _telemetry.Failed(start, activity, reported);
            if (ReferenceEquals(reported, failure))
            {
                throw;
            }

            throw reported;
        }
    }

    /// <summary>
    /// A runtime <see cref="IOException"/> that did not come through the I/O layer (which throws
    /// <see cref="NativeIOException"/> with its path): by default reported with its errno and no
    /// path; an operation that knows where such errors come from names the file.
    /// </summary>
    protected virtual SnapshotException ClassifyIOException(IOException io)
        => new(SnapshotErrorCode.IO, $"{Describe(Steps.Current)} failed: {io.Message}", Steps.Current, errno: Errors.ErrnoOf(io), innerException: io);

    /// <summary>The operation's steps, in the specification's order.</summary>
    protected abstract TResult RunSteps();

    /// <summary>Removes or undoes what this attempt made; returns the clean-up's own failure, if any.</summary>
    protected abstract Exception? CleanUp();

    /// <summary>Tags the operation's span with what identifies it (a data directory, a snapshot); only called when something listens.</summary>
    protected virtual void TagSpan(Activity activity)
    {
    }

    /// <summary>The duration the operation reports in its result, recorded as its duration too (null: the frame's own measure).</summary>
    protected virtual TimeSpan? Elapsed(TResult result) => null;

    /// <summary>The outcome a successful attempt is recorded with (a verification's verdict, say).</summary>
    protected virtual string Outcome(TResult result) => "success";

    /// <summary>Records what is particular to this operation's success (bytes, counts, span tags).</summary>
    protected virtual void Succeeded(TResult result, Activity? activity)
    {
    }

    private Exception Classify(Exception failure) => failure switch
    {
        SnapshotException => failure,
        OperationCanceledException => failure,
        NativeIOException native => SnapshotException.FromNative(native, Steps.Current),
        HostileTreeException hostile => new SnapshotException(SnapshotErrorCode.Failed, $"{Describe(Steps.Current)} refused the source: {hostile.Message}", Steps.Current, hostile.Path, innerException: hostile),
        ManifestFormatException manifest => new SnapshotException(ManifestErrorCode, $"{Describe(Steps.Current)} failed: {manifest.Message}", Steps.Current, innerException: manifest),
        IOException io => ClassifyIOException(io),
        _ => new SnapshotException(SnapshotErrorCode.Failed, $"{Describe(Steps.Current)} failed: {failure.Message}", Steps.Current, innerException: failure),
    };
}

using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.ManifestFormat;

namespace AeroSnapshot.Fast.Execution;

/// <summary>
/// The frame every multi-step operation runs in (create, restore, backup, restore from a backup):
/// run the steps; on failure turn whatever was thrown into the <see cref="SnapshotException"/> the
/// caller sees, naming the step it failed in; undo what this attempt made; attach the clean-up's own
/// failure instead of hiding the first; log once. Each operation supplies only its steps, its words
/// and its clean-up.
/// </summary>
/// <typeparam name="TResult">What a successful attempt returns.</typeparam>
internal abstract class OperationAttempt<TResult>
{
    private readonly SnapshotOptions _options;
    private readonly StepRecorder? _recorder;

    /// <param name="options">The caller's options: cancellation, the step hook, the logger.</param>
    /// <param name="recorder">The step timings, finished with the failure; null when the operation keeps none.</param>
    /// <param name="first">The step a failure before the first <see cref="StepCursor.Enter"/> is reported under.</param>
    protected OperationAttempt(SnapshotOptions options, StepRecorder? recorder, SnapshotStep first)
    {
        _options = options;
        _recorder = recorder;
        Steps = new StepCursor(options, recorder, first);
    }

    /// <summary>The step now running: every failure is reported as a failure of its current step.</summary>
    protected StepCursor Steps { get; }

    /// <summary>How messages name the operation and step, e.g. "Snapshot step Publish".</summary>
    protected abstract string Describe(SnapshotStep step);

    /// <summary>The component named in the error and the log (<see cref="SnapshotException.Component"/>); null keeps the default.</summary>
    protected virtual string? Component => null;

    /// <summary>The code a malformed manifest read by this operation gets.</summary>
    protected virtual string ManifestErrorCode => SnapshotErrorCode.Manifest;

    /// <summary>Runs the attempt.</summary>
    /// <remarks>
    /// A <see cref="SimulatedCrashException"/> (a test's stand-in for a kill) passes through
    /// untouched and nothing is cleaned up, exactly as after a real crash.
    /// </remarks>
    public TResult Run()
    {
        try
        {
            return RunSteps();
        }
        catch (Exception failure) when (failure is not SimulatedCrashException)
        {
            _recorder?.Finish(failure);
            Exception reported = Classify(failure);
            Exception? cleanupFailure = CleanUp();
            if (reported is SnapshotException error)
            {
                error.CleanupFailure ??= cleanupFailure;
                if (Component is { } component)
                {
                    error.Component = component;
                }

                _options.Logger?.LogFailure(error);
            }

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

using Xunit.Abstractions;
using Xunit.Sdk;

namespace AeroSnapshot.TestSupport.Requirements;

/// <summary>
/// Passes a test's messages on, turning "failed with <see cref="MissingRequirementException"/>" into
/// "skipped, with its message as the reason", and counts how many it turned.
/// </summary>
internal sealed class MissingRequirementMessageBus(IMessageBus inner) : IMessageBus
{
    private static readonly string ExceptionName = typeof(MissingRequirementException).FullName!;

    private int _skipped;

    public bool QueueMessage(IMessageSinkMessage message)
    {
        if (message is ITestFailed failed && SkipReason(failed) is { } reason)
        {
            Interlocked.Increment(ref _skipped);
            return inner.QueueMessage(new TestSkipped(failed.Test, reason));
        }

        return inner.QueueMessage(message);
    }

    /// <summary>The summary with the turned failures counted as skips.</summary>
    public RunSummary Adjust(RunSummary summary)
    {
        summary.Failed -= _skipped;
        summary.Skipped += _skipped;
        return summary;
    }

    // The exception may be the test's own or the inner one of xunit's wrapper (a test class or
    // fixture constructor that threw): any position in the chain counts.
    private static string? SkipReason(ITestFailed failed)
    {
        for (int i = 0; i < failed.ExceptionTypes.Length; i++)
        {
            if (failed.ExceptionTypes[i] == ExceptionName)
            {
                return failed.Messages[i];
            }
        }

        return null;
    }

    // The inner bus belongs to the caller, which disposes it.
    public void Dispose()
    {
    }
}

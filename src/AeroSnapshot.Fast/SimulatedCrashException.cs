namespace AeroSnapshot.Fast;

/// <summary>
/// Thrown by a test through <see cref="SnapshotOptions.BeforeStep"/> to stand for the process dying
/// at that step. Operations that undo their work on failure (restore) let it pass untouched, so
/// the disk is left exactly as a crash there would leave it, and recovery can be tested on it.
/// </summary>
internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
        : base("Simulated crash.")
    {
    }

    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace AeroSnapshot.Fast.Execution;

/// <summary>The first step of create, capture, checkpoint and backup: the caller must hold its execution lock.</summary>
internal static class ExecutionLockCheck
{
    /// <summary>Refuses, at <see cref="SnapshotStep.CheckLock"/>, when the caller does not hold <paramref name="executionLock"/>.</summary>
    /// <param name="executionLock">The database's lock.</param>
    /// <param name="operation">"A snapshot", "A checkpoint", "A backup".</param>
    /// <param name="rule">The rule the refusal keeps.</param>
    public static void ThrowUnlessHeld(IExecutionLock executionLock, string operation, string rule)
    {
        if (!executionLock.IsHeldByCaller)
        {
            throw new SnapshotException(
                SnapshotErrorCode.Failed,
                $"{operation} may only be taken while the caller holds the execution lock (IExecutionLock.IsHeldByCaller was false).",
                SnapshotStep.CheckLock,
                rule: rule);
        }
    }
}

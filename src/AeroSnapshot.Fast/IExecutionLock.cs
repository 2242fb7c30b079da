namespace AeroSnapshot.Fast;

/// <summary>
/// The lock a database holds to pause all its writes, as create, capture, checkpoint and backup
/// need it: they never take or release it, they only ask whether the caller holds it now, and
/// refuse at <see cref="SnapshotStep.CheckLock"/> when it does not. Implement it over the
/// database's own write lock; <see cref="GlobalExecutionLock"/> (a thread owns it) and
/// <see cref="AsyncExecutionLock"/> (an async flow owns it, across awaits) are ready-made.
/// </summary>
public interface IExecutionLock
{
    /// <summary>
    /// True when the code calling the snapshot manager holds the lock, so that no write can happen
    /// until it releases it. Asked once, at the start of the operation; it must not block.
    /// </summary>
    bool IsHeldByCaller { get; }
}

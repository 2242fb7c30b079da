namespace AeroSnapshot.Fast;

/// <summary>
/// The lock AeroDB holds to pause all writes, owned by a thread. A snapshot is taken only while
/// the calling thread holds it; the snapshot manager checks that and never takes or releases it
/// itself, so the database decides exactly how long its writes are paused. Not for a holder that
/// awaits while holding it (the release would run on another thread and throw
/// <see cref="SynchronizationLockException"/>): use <see cref="AsyncExecutionLock"/> or the
/// database's own lock behind <see cref="IExecutionLock"/>.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class GlobalExecutionLock : IExecutionLock
{
    private readonly Lock _lock = new();

    /// <summary>True when the calling thread holds the lock.</summary>
    public bool IsHeldByCurrentThread => _lock.IsHeldByCurrentThread;

    /// <inheritdoc/>
    /// <remarks>The caller is the current thread.</remarks>
    public bool IsHeldByCaller => _lock.IsHeldByCurrentThread;

    /// <summary>Waits for the lock and returns a scope that releases it when disposed.</summary>
    public Scope Acquire()
    {
        _lock.Enter();
        return new Scope(_lock);
    }

    /// <summary>Takes the lock if it is free within <paramref name="timeout"/>.</summary>
    public bool TryAcquire(TimeSpan timeout, out Scope scope)
    {
        if (_lock.TryEnter(timeout))
        {
            scope = new Scope(_lock);
            return true;
        }

        scope = default;
        return false;
    }

    /// <summary>A held lock; disposing it releases the lock.</summary>
    public struct Scope : IDisposable
    {
        private Lock? _lock;

        internal Scope(Lock heldLock) => _lock = heldLock;

        /// <summary>Releases the lock (once).</summary>
        public void Dispose()
        {
            Lock? held = _lock;
            _lock = null;
            held?.Exit();
        }
    }
}

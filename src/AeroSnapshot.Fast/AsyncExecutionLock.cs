namespace AeroSnapshot.Fast;

/// <summary>
/// An execution lock an async flow holds across awaits, as an async database server holds its write
/// lock: <see cref="AcquireAsync"/> waits without blocking a thread, and the flow that acquired it
/// (its continuations on any thread, and the tasks it starts while holding it) is the holder.
/// <see cref="GlobalExecutionLock"/> cannot be used so: its owner is a thread, and releasing it
/// after an await that resumed elsewhere throws <see cref="SynchronizationLockException"/>.
/// </summary>
/// <remarks>Thread-safe. Not reentrant: a holder that acquires it again waits for itself.</remarks>
public sealed class AsyncExecutionLock : IExecutionLock, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    // The holder's mark flows with its ExecutionContext; the lock records which mark holds it now.
    private readonly AsyncLocal<object?> _flowMark = new();
    private object? _holder;

    /// <inheritdoc/>
    public bool IsHeldByCaller => _flowMark.Value is { } mark && ReferenceEquals(Volatile.Read(ref _holder), mark);

    /// <summary>
    /// Waits for the lock; the calling flow holds it from the moment the returned task completes
    /// until the scope is disposed (from any thread).
    /// </summary>
    /// <param name="cancellationToken">Gives up the wait.</param>
    /// <returns>The held lock; dispose it to release it.</returns>
    /// <exception cref="OperationCanceledException">The wait was cancelled; the lock is not held.</exception>
    public Task<Scope> AcquireAsync(CancellationToken cancellationToken = default)
    {
        // Not an async method: an AsyncLocal set inside one would be undone when it returns, and
        // the caller's continuation would not carry the mark.
        var mark = new object();
        _flowMark.Value = mark;
        return Enter(mark, cancellationToken);
    }

    /// <summary>Releases the semaphore.</summary>
    public void Dispose() => _gate.Dispose();

    private async Task<Scope> Enter(object mark, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _holder, mark);
        return new Scope(this, mark);
    }

    private void Exit(object mark)
    {
        if (Interlocked.CompareExchange(ref _holder, null, mark) == mark)
        {
            _gate.Release();
        }
    }

    /// <summary>A held lock; disposing it (once, from any thread) releases the lock.</summary>
    public sealed class Scope : IDisposable
    {
        private readonly AsyncExecutionLock _owner;
        private object? _mark;

        internal Scope(AsyncExecutionLock owner, object mark)
        {
            _owner = owner;
            _mark = mark;
        }

        /// <summary>Releases the lock (once).</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _mark, null) is { } mark)
            {
                _owner.Exit(mark);
            }
        }
    }
}

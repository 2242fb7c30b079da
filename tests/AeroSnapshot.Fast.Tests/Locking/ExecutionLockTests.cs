using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Locking;

/// <summary>
/// The database owns the execution lock (issue 27): create, capture, checkpoint and backup ask an
/// <see cref="IExecutionLock"/> whether the caller holds it, so an async server can hold its own
/// lock across awaits; a caller that does not hold it is refused at CheckLock, never crashed.
/// </summary>
public sealed class ExecutionLockTests : IDisposable
{
    private readonly TestDataDirectory _dir = new();
    private readonly SnapshotManager _manager = new();

    public ExecutionLockTests()
    {
        _dir.WriteStorage(1 << 20);
        _dir.WriteSchema("a.json", "{}");
    }

    public void Dispose()
    {
        _manager.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Create_from_an_async_method_holding_an_async_lock_across_awaits_publishes_the_snapshot()
    {
        using var executionLock = new AsyncExecutionLock();
        SnapshotResult result;
        using (await executionLock.AcquireAsync())
        {
            await Task.Delay(20);
            await Task.Run(static () => Thread.Sleep(20));
            Assert.True(executionLock.IsHeldByCaller);
            result = _manager.CreateSnapshot(_dir.Root, _dir.StoragePath, _dir.SchemaDirectory, WalDurability.None, executionLock);
            await Task.Yield();
        }

        Assert.False(executionLock.IsHeldByCaller);
        Assert.True(Directory.Exists(result.Directory));
        Assert.True(_manager.Verify(result.Directory).IsValid);
    }

    [Fact]
    public async Task A_flow_that_does_not_hold_the_async_lock_is_refused_at_CheckLock_while_another_holds_it()
    {
        using var executionLock = new AsyncExecutionLock();
        var held = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        Task holder = Task.Run(async () =>
        {
            using (await executionLock.AcquireAsync())
            {
                held.SetResult();
                await release.Task;
            }
        });
        await held.Task;

        SnapshotException refused = Assert.Throws<SnapshotException>(() =>
            _manager.CreateSnapshot(_dir.Root, _dir.StoragePath, _dir.SchemaDirectory, WalDurability.None, executionLock));
        release.SetResult();
        await holder;

        Assert.Equal(SnapshotStep.CheckLock, refused.Step);
        Assert.Contains("caller holds the execution lock", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.SnapshotsDirectory) && Directory.EnumerateFileSystemEntries(_dir.SnapshotsDirectory).Any(static entry => !Path.GetFileName(entry).StartsWith('.')));
    }

    [Fact]
    public async Task The_async_lock_lets_one_holder_in_at_a_time_and_is_free_again_after_its_scope()
    {
        using var executionLock = new AsyncExecutionLock();
        AsyncExecutionLock.Scope first = await executionLock.AcquireAsync();
        Task<AsyncExecutionLock.Scope> second = Task.Run(() => executionLock.AcquireAsync());
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        first.Dispose();
        first.Dispose();
        using AsyncExecutionLock.Scope next = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(executionLock.IsHeldByCaller);
    }

    [Fact]
    public void A_database_lock_of_its_own_behind_the_interface_is_asked_and_obeyed()
    {
        var databaseLock = new DatabaseWriteLock();
        Assert.Throws<SnapshotException>(() =>
            _manager.CreateSnapshot(_dir.Root, _dir.StoragePath, _dir.SchemaDirectory, WalDurability.None, databaseLock));
        Assert.False(Directory.Exists(_dir.SnapshotsDirectory) && Directory.EnumerateFileSystemEntries(_dir.SnapshotsDirectory).Any(static entry => !Path.GetFileName(entry).StartsWith('.')));

        databaseLock.Held = true;
        SnapshotResult result = _manager.CreateSnapshot(_dir.Root, _dir.StoragePath, _dir.SchemaDirectory, WalDurability.None, databaseLock);

        Assert.True(Directory.Exists(result.Directory));
        Assert.True(databaseLock.Asked >= 2);
    }

    private sealed class DatabaseWriteLock : IExecutionLock
    {
        public bool Held { get; set; }

        public int Asked { get; private set; }

        public bool IsHeldByCaller
        {
            get
            {
                Asked++;
                return Held;
            }
        }
    }
}

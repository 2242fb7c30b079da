using AeroSnapshot.Fast.Creation;

namespace AeroSnapshot.Fast;

public sealed partial class SnapshotManager
{
    /// <summary>
    /// Optional work to do just before pausing writes, so that the paused part of
    /// <see cref="CreateSnapshot(string, string, string, IWalDurability, IExecutionLock, SnapshotOptions?, CancellationToken)"/>
    /// is shorter: makes <c>snapshots/</c> exist durably, removes leftovers, writes back the storage
    /// file's dirty pages and, with <paramref name="warmSource"/>, reads the storage file into the page
    /// cache. Needs no lock and changes nothing a snapshot reader can see.
    /// </summary>
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="storagePath">The storage file.</param>
    /// <param name="warmSource">Read the storage file once so the paused copy reads from memory.</param>
    /// <param name="options">Buffer size.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    public SnapshotPreparation PrepareSnapshot(string dataDirectory, string storagePath, bool warmSource = false, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentException.ThrowIfNullOrEmpty(storagePath);
        options ??= SnapshotOptions.Default;
        try
        {
            return SnapshotPreparer.Prepare(dataDirectory, storagePath, warmSource, Buffers(options));
        }
        catch (NativeIOException native)
        {
            throw SnapshotException.FromNative(native, SnapshotStep.Prepare);
        }
    }
}

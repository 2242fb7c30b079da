using AeroSnapshot.Fast.Creation;

namespace AeroSnapshot.Fast;

public sealed partial class SnapshotManager
{
    /// <summary>
    /// Optional work to do just before pausing writes, so that the paused part of
    /// <see cref="CreateSnapshot(string, string, string, IWalDurability, IExecutionLock, SnapshotOptions?)"/>
    /// is shorter: makes <c>snapshots/</c> exist durably, removes leftovers, writes back the storage
    /// file's dirty pages and, with <paramref name="warmSource"/>, reads the storage file into the page
    /// cache. Needs no lock and changes nothing a snapshot reader can see.
    /// </summary>
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="storagePath">The storage file.</param>
    /// <param name="warmSource">Read the storage file once so the paused copy reads from memory.</param>
    /// <param name="options">Buffer size.</param>
    public SnapshotPreparation PrepareSnapshot(string dataDirectory, string storagePath, bool warmSource = false, SnapshotOptions? options = null)
    {
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

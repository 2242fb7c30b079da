using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Precopy;

namespace AeroSnapshot.Fast;

public sealed partial class SnapshotManager
{
    /// <summary>
    /// Copies most of the next snapshot before the write pause, while the database still runs: the
    /// storage file's current prefix and the schema tree, made durable in a staging directory of
    /// <c>snapshots/</c>, with a CRC-32 state and strong hashes of what was copied. Pass the result as
    /// <see cref="SnapshotOptions.Precopy"/> to the next <c>CreateSnapshot</c>: inside the pause it
    /// re-hashes the prefix (from the page cache, normally), copies only the tail and the schema files
    /// that changed, and publishes a snapshot byte-for-byte equal to a plain one. Needs no lock. It
    /// also does what <see cref="PrepareSnapshot"/> does (except warming the source).
    /// </summary>
    /// <remarks>
    /// Worth it when the storage file is append-only and schemas are immutable, as AeroDB keeps them:
    /// the pause then grows with what changed since the pre-copy, not with the data. If the storage
    /// file was written in place, truncated or replaced, or the pre-copy is stale, the snapshot copies
    /// everything inside the pause (a warning is logged; <see cref="SnapshotResult.Precopy"/> says
    /// why): never wrong, only slower. Dispose the pre-copy after the snapshot; an unused one is
    /// removed then, or by the next preparation, snapshot or clean-up.
    /// </remarks>
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="storagePath">The storage file.</param>
    /// <param name="schemaDirectory">The schema tree (the same path the snapshot will be given).</param>
    /// <param name="options">Buffer size, writeback window, cancellation; <see cref="SnapshotOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <exception cref="SnapshotException">The pre-copy failed; nothing of it is left behind.</exception>
    public SnapshotPrecopy PrecopySnapshot(string dataDirectory, string storagePath, string schemaDirectory, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentException.ThrowIfNullOrEmpty(storagePath);
        ArgumentException.ThrowIfNullOrEmpty(schemaDirectory);
        options ??= SnapshotOptions.Default;
        return new PrecopyWriter(dataDirectory, storagePath, schemaDirectory, options, Buffers(options)).Run();
    }
}

using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;
using AeroSnapshot.Fast.Wal;

namespace AeroSnapshot.Fast;

// AeroDB's WAL record, judged as its reader judges it (as checkpoint, backup, verify-backup and restore-backup do), offered on its own.
public sealed partial class SnapshotManager
{
    /// <summary>
    /// Reads the WAL at <paramref name="walPath"/> once, through a pooled buffer, and judges it as
    /// AeroDB's reader does: every record's length, CRC-32, type and five-field payload (four UTF-8
    /// strings and the body), sequence numbers from 1 up by 1. An empty WAL is valid.
    /// </summary>
    /// <param name="walPath">The WAL file; a link is refused.</param>
    /// <param name="options">Cancellation and buffer size.</param>
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <returns>How many records and bytes the WAL holds, and its first and last sequence numbers.</returns>
    /// <exception cref="SnapshotException">
    /// <c>AERO_WAL_CORRUPTION</c> (FATAL, invariant K2) naming the record's offset, with a
    /// <see cref="WalFrameException"/> inside; <c>AERO_SNAPSHOT_IO</c> when the file cannot be read.
    /// </exception>
    public WalSummary ValidateWal(string walPath, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(walPath);
        options ??= SnapshotOptions.Default;
        Copying.AlignedBufferPool buffers = Buffers(options);
        CancellationToken cancellation = options.CancellationToken;
        return new SingleStepOperation<WalSummary>(
            options,
            OperationTelemetry.ValidateWal,
            "wal",
            "WAL validation",
            SnapshotStep.Read,
            () =>
            {
                using Copying.AlignedBufferPool.Lease buffer = buffers.Rent();
                return WalValidator.Validate(walPath, buffer.Span, cancellation);
            },
            spanTag: new("aerosnap.wal", walPath)).Run();
    }
}

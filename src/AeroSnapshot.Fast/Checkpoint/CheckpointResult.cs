namespace AeroSnapshot.Fast.Checkpoint;

/// <summary>A completed checkpoint.</summary>
/// <param name="SnapshotId">The snapshot it was taken from (published under <c>snapshots/</c>).</param>
/// <param name="Marker">What was written to <c>checkpoint.json</c>.</param>
/// <param name="MarkerPath">Where <c>checkpoint.json</c> is.</param>
/// <param name="WalPath">The WAL that was reset.</param>
/// <param name="WalBytesDropped">The WAL's length before the reset (it is 0 now).</param>
public sealed record CheckpointResult(SnapshotId SnapshotId, CheckpointMarker Marker, string MarkerPath, string WalPath, long WalBytesDropped)
{
    /// <summary>The whole checkpoint: WAL validation, snapshot, marker and WAL reset.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>For a log line: the snapshot, the marker and the WAL bytes dropped.</summary>
    public override string ToString()
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"checkpoint of snapshot {SnapshotId} ({MarkerPath}), WAL {WalPath} reset from {WalBytesDropped} bytes, {Duration.TotalMilliseconds:0.#} ms");
}

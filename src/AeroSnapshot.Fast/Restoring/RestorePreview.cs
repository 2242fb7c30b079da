namespace AeroSnapshot.Fast.Restoring;

/// <summary>
/// What a restore would do to its target, found by the restore's own checks and sorting with
/// nothing written (<c>aerosnap restore --dry-run</c>).
/// </summary>
/// <param name="Id">The snapshot that would be restored.</param>
/// <param name="TargetDirectory">The data directory that would be replaced.</param>
/// <param name="StorageFile">Where the restored storage file would go, relative to the target (<c>storage.dat</c> or <c>data/storage.dat</c>).</param>
/// <param name="WalKept">True when the target's <c>wal/</c> would be kept (<c>keepWal</c> and the target has one).</param>
/// <param name="CarriedOver">The target's entries moved into the restored directory unchanged (<c>snapshots</c>, <c>wal</c> when kept).</param>
/// <param name="Discarded">The target's entries deleted with the previous data without being replaced by the snapshot's own.</param>
/// <param name="Recovered">Leftovers of an earlier interrupted restore the restore would first finish or undo.</param>
/// <param name="UnverifiedFiles">Schema files the snapshot holds but its manifest does not list: they would be copied unverified.</param>
internal sealed record RestorePreview(
    SnapshotId Id,
    string TargetDirectory,
    string StorageFile,
    bool WalKept,
    IReadOnlyList<string> CarriedOver,
    IReadOnlyList<string> Discarded,
    IReadOnlyList<string> Recovered,
    IReadOnlyList<string> UnverifiedFiles);

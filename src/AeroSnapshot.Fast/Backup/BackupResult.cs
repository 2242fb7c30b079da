using AeroSnapshot.Fast.Discovery;

namespace AeroSnapshot.Fast.Backup;

/// <summary>A published backup archive.</summary>
/// <param name="ArchivePath">The archive (published under the name asked for; never replaced anything).</param>
/// <param name="Manifest">Its <c>backup_manifest.json</c>.</param>
/// <param name="ArchiveBytes">The archive's size.</param>
/// <param name="SnapshotBytes">Bytes of snapshot data packed (and checked against the snapshot's manifest).</param>
/// <param name="SnapshotFiles">Snapshot files packed and checked (<c>storage.dat</c> and the schema files; <c>manifest.json</c> is packed too).</param>
/// <param name="WalBytes">Bytes of WAL packed (0 when there is none).</param>
/// <param name="Skipped">Newer snapshots passed over because they are not valid, newest first.</param>
public sealed record BackupResult(string ArchivePath, BackupManifest Manifest, long ArchiveBytes, long SnapshotBytes, int SnapshotFiles, long WalBytes, IReadOnlyList<SkippedSnapshot> Skipped)
{
    /// <summary>
    /// Schema files packed without verification: present in a reference-written snapshot but not
    /// listed in its manifest (see <see cref="Verification.VerificationProblemKind.Unlisted"/>), as
    /// paths in the snapshot. Counted in <see cref="SnapshotFiles"/> and <see cref="SnapshotBytes"/>.
    /// </summary>
    public IReadOnlyList<string> UnverifiedFiles { get; init; } = [];

    /// <summary>
    /// Unlisted entries of a reference-written snapshot whose names are not UTF-8, printable: a tar
    /// entry name written here is UTF-8 text, so they are not in the archive.
    /// </summary>
    public IReadOnlyList<string> LeftOut { get; init; } = [];

    /// <summary>The whole backup, from the lock check to the archive's publication.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>For a log line: the archive, its snapshot and sizes, the duration.</summary>
    public override string ToString()
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"backup {ArchivePath} of snapshot {Manifest.SnapshotId}: {ArchiveBytes} bytes ({SnapshotFiles} snapshot files, {WalBytes} WAL bytes), {Duration.TotalMilliseconds:0.#} ms");
}

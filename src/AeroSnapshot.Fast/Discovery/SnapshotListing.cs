namespace AeroSnapshot.Fast.Discovery;

/// <summary>What an entry of <c>snapshots/</c> is.</summary>
public enum SnapshotEntryKind
{
    /// <summary>
    /// An entry named like a snapshot id: a directory, or something that claims to be a snapshot and
    /// is not (a link, a file), which <see cref="SnapshotListing.ManifestError"/> then explains.
    /// </summary>
    Snapshot,

    /// <summary>A leftover of an interrupted create or prune (<c>.staging-*</c>, <c>.deleting-*</c>).</summary>
    Incomplete,

    /// <summary>Anything else (stray files, foreign directories); never touched.</summary>
    Other,
}

/// <summary>One entry of a cheap listing: read from the manifest and directory metadata only, no data read.</summary>
/// <param name="Name">The entry's name under <c>snapshots/</c>.</param>
/// <param name="Directory">The entry's full path.</param>
/// <param name="Kind">Snapshot, incomplete leftover, or other.</param>
/// <param name="Id">The id its name parses to, for snapshots.</param>
/// <param name="CreatedAt">The manifest's <c>created_at</c>, when readable.</param>
/// <param name="Bytes">Total size of its regular files.</param>
/// <param name="Files">Number of regular files in it.</param>
/// <param name="ManifestError">Why the manifest could not be read; null when it could (or for non-snapshots).</param>
public sealed record SnapshotListing(
    string Name,
    string Directory,
    SnapshotEntryKind Kind,
    SnapshotId? Id,
    SnapshotInstant? CreatedAt,
    long Bytes,
    int Files,
    string? ManifestError)
{
    /// <summary>True for a snapshot whose manifest was read.</summary>
    public bool ManifestReadable => Kind == SnapshotEntryKind.Snapshot && ManifestError is null;
}

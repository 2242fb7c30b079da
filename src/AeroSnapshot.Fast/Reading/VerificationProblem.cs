namespace AeroSnapshot.Fast;

/// <summary>The kinds of problem verification can find in a snapshot.</summary>
public enum VerificationProblemKind
{
    /// <summary><c>manifest.json</c> does not exist.</summary>
    ManifestMissing,

    /// <summary><c>manifest.json</c> cannot be read or is not a valid manifest.</summary>
    ManifestInvalid,

    /// <summary>The manifest's <c>snapshot_id</c> is not the directory's name.</summary>
    SnapshotIdMismatch,

    /// <summary>A file the manifest lists is not there.</summary>
    FileMissing,

    /// <summary>A file is there that the manifest does not list.</summary>
    ExtraFile,

    /// <summary>A file's CRC-32 is not the one the manifest records.</summary>
    ChecksumMismatch,

    /// <summary>Something other than a regular file stands where a file is expected (a directory, a link, a FIFO…).</summary>
    NotARegularFile,

    /// <summary>A manifest key names a path outside <c>schemas/</c>; it is reported and never opened.</summary>
    PathOutsideSnapshot,

    /// <summary>A file could not be opened or read (the errno is given).</summary>
    Unreadable,
}

/// <summary>One problem found by verification.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="RelativePath">The path inside the snapshot directory (for example <c>schemas/a/b.json</c>).</param>
/// <param name="Message">A sentence for people.</param>
/// <param name="Expected">The checksum the manifest records, where relevant.</param>
/// <param name="Actual">The checksum of the bytes found, where relevant.</param>
/// <param name="Errno">The errno of a failed read, where relevant.</param>
public sealed record VerificationProblem(
    VerificationProblemKind Kind,
    string RelativePath,
    string Message,
    Crc32Checksum? Expected = null,
    Crc32Checksum? Actual = null,
    int? Errno = null)
{
    /// <summary>True for problems with the manifest itself (metadata), false for problems with data.</summary>
    public bool IsManifestProblem => Kind is VerificationProblemKind.ManifestMissing or VerificationProblemKind.ManifestInvalid or VerificationProblemKind.SnapshotIdMismatch;
}

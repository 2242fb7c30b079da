namespace AeroSnapshot.Fast.Verification;

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

    /// <summary>
    /// Something other than a regular file stands where a file is expected (a directory, a link, a
    /// FIFO…), or the snapshot path itself is not a directory. It is never opened or followed.
    /// </summary>
    NotARegularFile,

    /// <summary>
    /// A manifest key leads outside <c>schemas/</c>: through a symbolic link standing where one of
    /// its directories should be. The link is never followed and the file never opened. (Keys such
    /// as <c>../x</c> or <c>/etc/passwd</c> never get this far: the manifest reader refuses them, and
    /// the manifest is reported as <see cref="ManifestInvalid"/>.)
    /// </summary>
    PathOutsideSnapshot,

    /// <summary>
    /// A file or directory could not be opened or read (the errno is given): an I/O failure, so
    /// nothing can be said about its contents. For <c>manifest.json</c> this is a manifest problem.
    /// </summary>
    Unreadable,

    /// <summary>
    /// A regular file under <c>schemas/</c> that the manifest does not list, in a snapshot whose
    /// manifest lists top-level schema files only: the shape the Rust reference writes (it copies
    /// the whole schema tree but checksums only the top level). Not corruption: it is reported
    /// in <see cref="VerificationReport.Unlisted"/>, never in <see cref="VerificationReport.Problems"/>,
    /// and restore copies such a file without being able to verify it. With
    /// <see cref="SnapshotOptions.Strict"/> the same file is an <see cref="ExtraFile"/>.
    /// </summary>
    Unlisted,
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
    public bool IsManifestProblem => Kind is VerificationProblemKind.ManifestMissing or VerificationProblemKind.ManifestInvalid or VerificationProblemKind.SnapshotIdMismatch
        || (Kind == VerificationProblemKind.Unreadable && RelativePath == SnapshotManifest.FileName);

    /// <summary>
    /// True when the problem is a failed read rather than something found in the snapshot: the
    /// snapshot may be fine and the disk not. Prune refuses to delete anything while this is so.
    /// </summary>
    public bool IsReadFailure => Kind == VerificationProblemKind.Unreadable;
}

namespace AeroSnapshot.Fast.Verification;

/// <summary>What verifying one snapshot found: every problem, not only the first.</summary>
public sealed class VerificationReport
{
    /// <summary>Creates a report.</summary>
    public VerificationReport(string snapshotDirectory, SnapshotManifest? manifest, IReadOnlyList<VerificationProblem> problems, long bytesVerified, int filesVerified)
    {
        SnapshotDirectory = snapshotDirectory;
        Manifest = manifest;
        Problems = problems;
        BytesVerified = bytesVerified;
        FilesVerified = filesVerified;
    }

    /// <summary>The snapshot directory verified.</summary>
    public string SnapshotDirectory { get; }

    /// <summary>The manifest, when it could be read.</summary>
    public SnapshotManifest? Manifest { get; }

    /// <summary>Every problem found, in the order found.</summary>
    public IReadOnlyList<VerificationProblem> Problems { get; }

    /// <summary>
    /// Files present under <c>schemas/</c> that the manifest does not list, in a snapshot whose
    /// manifest lists top-level schema files only (what the Rust reference writes): findings, not
    /// problems (see <see cref="VerificationProblemKind.Unlisted"/>). They do not make the snapshot
    /// invalid; with <see cref="SnapshotOptions.Strict"/> they are reported as problems instead.
    /// </summary>
    public IReadOnlyList<VerificationProblem> Unlisted { get; init; } = [];

    /// <summary>The verification's wall-clock time (set by <see cref="SnapshotManager.Verify"/> once it returns).</summary>
    public TimeSpan Duration { get; internal set; }

    /// <summary>True when nothing is wrong (unlisted files, which are findings, do not count).</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>Bytes read and checksummed.</summary>
    public long BytesVerified { get; }

    /// <summary>Files read and checksummed.</summary>
    public int FilesVerified { get; }

    /// <summary>
    /// The code restore or recovery raises for this report: <c>AERO_METADATA_CORRUPTION</c> when the
    /// manifest is missing, unreadable or invalid, <c>AERO_DATA_CORRUPTION</c> otherwise; null when valid.
    /// </summary>
    public string? CorruptionCode => IsValid
        ? null
        : Problems.Any(static p => p.IsManifestProblem) ? SnapshotErrorCode.MetadataCorruption : SnapshotErrorCode.DataCorruption;

    /// <summary>
    /// True when a read failed (see <see cref="VerificationProblem.IsReadFailure"/>): the snapshot is
    /// not known to be valid, but not known to be corrupt either.
    /// </summary>
    public bool HasReadFailures => Problems.Any(static p => p.IsReadFailure);

    /// <summary>The first problems, one short clause each, for messages and logs.</summary>
    public string Summarize(int count = 5)
    {
        string summary = string.Join("; ", Problems.Take(count).Select(static p => p switch
        {
            { Expected: { } expected, Actual: { } actual } => $"{p.Kind} {p.RelativePath} (expected {expected}, actual {actual})",
            // Why it could not be read (the call, the path and the errno) is what tells a failing
            // disk from a permission problem; it is in the message.
            { Kind: VerificationProblemKind.Unreadable } => $"{p.Kind} {p.RelativePath} ({p.Message.TrimEnd('.')})",
            _ => $"{p.Kind} {p.RelativePath}",
        }));
        return Problems.Count > count ? summary + "; …" : summary;
    }

    /// <summary>
    /// The error restore or recovery raises for this report: <c>AERO_METADATA_CORRUPTION</c> when
    /// the manifest is missing or invalid, <c>AERO_DATA_CORRUPTION</c> otherwise (both FATAL);
    /// null when the snapshot is valid.
    /// </summary>
    public SnapshotException? ToCorruptionError()
    {
        if (IsValid)
        {
            return null;
        }

        VerificationProblem first = Problems[0];
        string code = CorruptionCode!;
        bool metadata = code == SnapshotErrorCode.MetadataCorruption;
        return new SnapshotException(
            code,
            $"Snapshot '{SnapshotDirectory}' failed verification ({Problems.Count} problem(s)): {Summarize()}.",
            SnapshotStep.Read,
            Path.Join(SnapshotDirectory, first.RelativePath),
            first.Errno,
            rule: metadata ? "a snapshot's manifest is valid and names its directory" : "every snapshot file matches its manifest checksum");
    }

    /// <summary>Throws <see cref="ToCorruptionError"/> unless the snapshot is valid.</summary>
    public void ThrowIfInvalid()
    {
        if (ToCorruptionError() is { } error)
        {
            throw error;
        }
    }
}

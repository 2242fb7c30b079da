using System.Diagnostics.CodeAnalysis;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Discovery;

/// <summary>A snapshot that discovery or prune passed over, and why.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Directory">Its directory.</param>
/// <param name="Code"><c>AERO_DATA_CORRUPTION</c> or <c>AERO_METADATA_CORRUPTION</c>.</param>
/// <param name="Problems">What verification found.</param>
public sealed record SkippedSnapshot(SnapshotId Id, string Directory, string Code, IReadOnlyList<VerificationProblem> Problems);

/// <summary>
/// The result of discovery: the newest snapshot that verifies, or an explicit "none" (recovery
/// then falls back to the WAL alone), with everything passed over on the way.
/// </summary>
public sealed class DiscoveryResult
{
    /// <summary>Creates a result.</summary>
    public DiscoveryResult(VerificationReport? selected, IReadOnlyList<SkippedSnapshot> skipped, IReadOnlyList<string> ignoredEntries)
    {
        Selected = selected;
        Skipped = skipped;
        IgnoredEntries = ignoredEntries;
    }

    /// <summary>The verification report of the selected snapshot; null when none is valid.</summary>
    public VerificationReport? Selected { get; }

    /// <summary>True when a valid snapshot was found; <see cref="Selected"/> is then not null.</summary>
    [MemberNotNullWhen(true, nameof(Selected))]
    public bool Found => Selected is not null;

    /// <summary>The selected snapshot's id.</summary>
    public SnapshotId? SelectedId => Selected?.Manifest?.SnapshotId;

    /// <summary>Snapshots tried and rejected, newest first.</summary>
    public IReadOnlyList<SkippedSnapshot> Skipped { get; }

    /// <summary>Entries of <c>snapshots/</c> that are not snapshots (staging leftovers, stray files), by name.</summary>
    public IReadOnlyList<string> IgnoredEntries { get; }

    /// <summary>What was found, for a log line: the selected snapshot and how many were passed over.</summary>
    public override string ToString()
        => (Found ? $"newest valid snapshot {SelectedId?.ToString() ?? Selected.SnapshotDirectory}" : "no valid snapshot")
            + (Skipped.Count == 0 ? string.Empty : $", {Skipped.Count} skipped")
            + (IgnoredEntries.Count == 0 ? string.Empty : $", {IgnoredEntries.Count} other entries ignored");
}

namespace AeroSnapshot.Cli.Tests;

/// <summary>Whether the library's read side (verify, discover, list, clean, prune, restore) is implemented in this build.</summary>
internal static class ReadSide
{
    /// <summary>
    /// The skip reason for end-to-end tests of the read commands while the library's read side is
    /// pending; null once branch read-side is merged.
    /// </summary>
    public const string? Pending = "Needs the library's read side (SnapshotManager.Verify/ListSnapshots/DiscoverNewestValid/RemoveLeftovers/Prune/Restore), implemented on branch 'read-side', not merged yet.";
}

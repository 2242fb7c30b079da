namespace AeroSnapshot.Cli.Tests.Support;

/// <summary>Whether the library's read side (verify, discover, list, clean, prune, restore) is implemented in this build.</summary>
internal static class ReadSide
{
    /// <summary>
    /// The skip reason for end-to-end tests of the read commands while the library's read side was
    /// pending on branch 'read-side'; null (run them) since that branch is merged.
    /// </summary>
    public const string? Pending = null;
}

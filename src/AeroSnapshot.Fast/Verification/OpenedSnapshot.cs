using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Verification;

/// <summary>
/// A snapshot directory opened for reading, with everything that can be checked before its data is
/// read: the directory itself (a real directory, never a link), the manifest (strictly read), the
/// manifest's id against the directory's name, and the inventory of its tree. Verification then
/// checksums <see cref="Inventory"/>'s files; restore copies them, checksumming as it copies.
/// </summary>
internal sealed class OpenedSnapshot : IDisposable
{
    private OpenedSnapshot(string directory, List<VerificationProblem> problems)
    {
        Directory = directory;
        Problems = problems;
    }

    /// <summary>The snapshot directory as given.</summary>
    public string Directory { get; }

    /// <summary>The open directory; null when it is not one.</summary>
    public DirectoryHandle? Handle { get; private set; }

    /// <summary>The manifest, when it could be read.</summary>
    public SnapshotManifest? Manifest { get; private set; }

    /// <summary>The tree compared with the manifest; null when the manifest could not be read.</summary>
    public SnapshotInventory? Inventory { get; private set; }

    /// <summary>Problems found so far, in the order found.</summary>
    public List<VerificationProblem> Problems { get; }

    /// <summary>Non-fatal findings: unlisted files tolerated in a reference-shaped snapshot.</summary>
    public IReadOnlyList<VerificationProblem> Unlisted => Inventory?.Unlisted ?? [];

    /// <summary>
    /// Opens <paramref name="directory"/> and checks everything but the data; null when nothing is
    /// there at all. <paramref name="scratch"/> holds the manifest's bytes while it is parsed.
    /// </summary>
    /// <exception cref="NativeIOException">The directory's own status could not be read.</exception>
    public static OpenedSnapshot? TryOpen(string directory, Span<byte> scratch, bool stopAtFirstProblem, bool strict)
        => TryOpen(null, directory, scratch, stopAtFirstProblem, strict);

    /// <summary>
    /// Like <see cref="TryOpen(string, Span{byte}, bool, bool)"/>, for the child named as the last
    /// component of <paramref name="directory"/> opened relative to <paramref name="parent"/>: prune
    /// verifies and then renames through that one descriptor of <c>snapshots/</c>.
    /// </summary>
    public static OpenedSnapshot? TryOpen(DirectoryHandle? parent, string directory, Span<byte> scratch, bool stopAtFirstProblem, bool strict)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        FileStatus? status = parent is null ? NativeFile.TryStatus(directory) : parent.TryStatus(name);
        if (status is null)
        {
            return null;
        }

        var opened = new OpenedSnapshot(directory, []);
        if (status.Value.Kind != FileKind.Directory)
        {
            opened.Problems.Add(NotADirectory(status.Value.Kind));
            return opened;
        }

        try
        {
            opened.Handle = parent is null ? DirectoryHandle.Open(directory) : parent.OpenDirectory(name);
        }
        catch (NativeIOException ex) when (ex.Errno == Errno.ENOENT)
        {
            return null;
        }
        catch (NativeIOException ex) when (ex.Errno is Errno.ELOOP or Errno.ENOTDIR)
        {
            opened.Problems.Add(NotADirectory(ex.Errno == Errno.ELOOP ? FileKind.SymbolicLink : FileKind.Unknown));
            return opened;
        }
        catch (NativeIOException ex)
        {
            opened.Problems.Add(new VerificationProblem(VerificationProblemKind.Unreadable, ".", ex.Message, Errno: ex.Errno));
            return opened;
        }

        opened.Check(scratch, stopAtFirstProblem, strict);
        return opened;
    }

    public void Dispose() => Handle?.Dispose();

    private void Check(Span<byte> scratch, bool stopAtFirstProblem, bool strict)
    {
        SnapshotManifest? manifest = ManifestFile.Read(Handle!, scratch, out VerificationProblem? manifestProblem);
        if (manifest is null)
        {
            // Without a manifest nothing else can be checked: there is nothing to check against.
            Problems.Add(manifestProblem!);
            return;
        }

        Manifest = manifest;
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Directory));
        if (!manifest.SnapshotId.ToString().Equals(name, StringComparison.Ordinal))
        {
            Problems.Add(new VerificationProblem(
                VerificationProblemKind.SnapshotIdMismatch,
                SnapshotManifest.FileName,
                $"The manifest's snapshot_id is {manifest.SnapshotId} but the directory is named '{name}'."));
        }

        if (CreatedAtProblem(manifest) is { } createdAt)
        {
            Problems.Add(new VerificationProblem(VerificationProblemKind.ManifestInvalid, SnapshotManifest.FileName, createdAt));
        }

        if (stopAtFirstProblem && Problems.Count > 0)
        {
            return;
        }

        Inventory = SnapshotInventory.Take(Handle!, manifest, stopAtFirstProblem, strict, Problems);
    }

    /// <summary>
    /// Why <c>created_at</c> does not fit <c>snapshot_id</c>, or null when it does. This library
    /// writes both from one clock reading, so they are equal; the Rust reference reads the clock
    /// twice (the id first, then <c>created_at</c>, with only string formatting between), so its
    /// <c>created_at</c> is the id's second or the next one, and later still only if the thread was
    /// descheduled, the machine suspended or the wall clock stepped between the two reads.
    /// <see cref="SnapshotManifest.MaxCreatedAtDelay"/> (60 s) covers all of those with a wide
    /// margin while still refusing a manifest whose two times cannot describe one snapshot. A
    /// <c>created_at</c> before the id is impossible for either writer and always refused.
    /// </summary>
    internal static string? CreatedAtProblem(SnapshotManifest manifest)
    {
        DateTime id = manifest.SnapshotId.UtcDateTime;
        DateTime createdAt = manifest.CreatedAt.UtcDateTime;
        if (createdAt < id)
        {
            return $"The manifest's created_at {manifest.CreatedAt} is before the instant of its snapshot_id {manifest.SnapshotId}.";
        }

        return createdAt - id > SnapshotManifest.MaxCreatedAtDelay
            ? $"The manifest's created_at {manifest.CreatedAt} is more than {SnapshotManifest.MaxCreatedAtDelay.TotalSeconds:0} s after the instant of its snapshot_id {manifest.SnapshotId}."
            : null;
    }

    private static VerificationProblem NotADirectory(FileKind kind) => new(
        VerificationProblemKind.NotARegularFile,
        ".",
        kind == FileKind.Unknown
            ? "The snapshot path is not a directory; it was not opened."
            : $"The snapshot path is {FileStatus.Describe(kind)}, not a directory; it was not opened{(kind == FileKind.SymbolicLink ? " or followed" : string.Empty)}.");
}

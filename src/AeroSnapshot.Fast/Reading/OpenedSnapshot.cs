using AeroSnapshot.Fast.Interop;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Reading;

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

    /// <summary>
    /// Opens <paramref name="directory"/> and checks everything but the data; null when nothing is
    /// there at all. <paramref name="scratch"/> holds the manifest's bytes while it is parsed.
    /// </summary>
    /// <exception cref="NativeIOException">The directory's own status could not be read.</exception>
    public static OpenedSnapshot? TryOpen(string directory, Span<byte> scratch, bool stopAtFirstProblem)
    {
        FileStatus? status = NativeFile.TryStatus(directory);
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
            opened.Handle = DirectoryHandle.Open(directory);
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

        opened.Check(scratch, stopAtFirstProblem);
        return opened;
    }

    public void Dispose() => Handle?.Dispose();

    private void Check(Span<byte> scratch, bool stopAtFirstProblem)
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

        if (manifest.CreatedAt != manifest.SnapshotId.Instant)
        {
            Problems.Add(new VerificationProblem(
                VerificationProblemKind.ManifestInvalid,
                SnapshotManifest.FileName,
                $"The manifest's created_at {manifest.CreatedAt} is not the instant of its snapshot_id {manifest.SnapshotId}."));
        }

        if (stopAtFirstProblem && Problems.Count > 0)
        {
            return;
        }

        Inventory = SnapshotInventory.Take(Handle!, manifest, stopAtFirstProblem, Problems);
    }

    private static VerificationProblem NotADirectory(FileKind kind) => new(
        VerificationProblemKind.NotARegularFile,
        ".",
        kind == FileKind.Unknown
            ? "The snapshot path is not a directory; it was not opened."
            : $"The snapshot path is {FileStatus.Describe(kind)}, not a directory; it was not opened{(kind == FileKind.SymbolicLink ? " or followed" : string.Empty)}.");
}

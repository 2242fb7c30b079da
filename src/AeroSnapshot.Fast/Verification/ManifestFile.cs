using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.ManifestFormat;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Verification;

/// <summary>
/// Reads <c>manifest.json</c> of an open snapshot directory strictly: never through a link, never
/// a FIFO or a directory, never more than <see cref="JsonDocumentReader.MaxDocumentLength"/> bytes
/// (refused from its size before a byte is read), and parsed by the generated reader, which refuses
/// everything the contract forbids. Every way it can fail becomes one <see cref="VerificationProblem"/>.
/// </summary>
internal static class ManifestFile
{
    /// <summary>
    /// Reads the manifest, using <paramref name="scratch"/> for its bytes when they fit (they do for
    /// any manifest of a few thousand schema files with the default 1 MiB buffer), so reading it
    /// allocates nothing but the manifest object itself.
    /// </summary>
    /// <returns>The manifest, or null with <paramref name="problem"/> saying why.</returns>
    public static SnapshotManifest? Read(DirectoryHandle snapshot, Span<byte> scratch, out VerificationProblem? problem)
    {
        const string name = SnapshotManifest.FileName;
        problem = null;
        FileStatus? found;
        try
        {
            found = snapshot.TryStatus(name);
        }
        catch (NativeIOException ex)
        {
            problem = Unreadable(ex);
            return null;
        }

        if (found is null)
        {
            problem = new VerificationProblem(VerificationProblemKind.ManifestMissing, name, $"{name} does not exist.");
            return null;
        }

        if (found.Value.Kind != FileKind.Regular)
        {
            problem = NotAFile(found.Value.Kind);
            return null;
        }

        SafeFileHandle handle;
        FileStatus status;
        try
        {
            handle = snapshot.OpenForRead(name, out status);
        }
        catch (NativeIOException ex)
        {
            problem = ex.Errno switch
            {
                Errno.ENOENT => new VerificationProblem(VerificationProblemKind.ManifestMissing, name, $"{name} does not exist."),
                Errno.ELOOP => NotAFile(FileKind.SymbolicLink),
                _ => Unreadable(ex),
            };
            return null;
        }

        using (handle)
        {
            if (status.Kind != FileKind.Regular)
            {
                problem = NotAFile(status.Kind);
                return null;
            }

            // The size is checked on the descriptor, before reading: a huge manifest is refused
            // without being read into memory.
            if (status.Size > JsonDocumentReader.MaxDocumentLength)
            {
                problem = Invalid($"{name} is {status.Size} bytes, over the {JsonDocumentReader.MaxDocumentLength}-byte limit; it was not read.");
                return null;
            }

            int length = (int)status.Size;
            Span<byte> bytes = length <= scratch.Length ? scratch[..length] : new byte[length];
            string path = snapshot.ChildPath(name);
            try
            {
                int filled = PositionalIO.ReadFull(handle, path, bytes, 0);
                if (filled != length || PositionalIO.ReadFull(handle, path, scratch.Length > length ? scratch.Slice(length, 1) : stackalloc byte[1], length) != 0)
                {
                    problem = Invalid($"{name} changed size while it was read (a snapshot's files are never modified).");
                    return null;
                }
            }
            catch (NativeIOException ex)
            {
                problem = Unreadable(ex);
                return null;
            }

            try
            {
                return SnapshotManifest.ReadUtf8(bytes);
            }
            catch (ManifestFormatException ex)
            {
                problem = Invalid(ex.Message);
                return null;
            }
        }
    }

    private static VerificationProblem Invalid(string message)
        => new(VerificationProblemKind.ManifestInvalid, SnapshotManifest.FileName, message);

    private static VerificationProblem NotAFile(FileKind kind)
        => Invalid($"{SnapshotManifest.FileName} is {FileStatus.Describe(kind)}, not a regular file; it was not opened{(kind == FileKind.SymbolicLink ? " or followed" : string.Empty)}.");

    private static VerificationProblem Unreadable(NativeIOException ex)
        => new(VerificationProblemKind.Unreadable, SnapshotManifest.FileName, ex.Message, Errno: ex.Errno);
}

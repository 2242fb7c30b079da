using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// The schema tree as found before copying: directories (parents first) and regular files with
/// their sizes, each with its path relative to the schema root using <c>/</c>. Anything that is
/// not a regular file or a directory is refused here, before a byte is read, naming the path.
/// </summary>
internal sealed class SchemaTree
{
    private SchemaTree(List<string> directories, List<SchemaFile> files)
    {
        Directories = directories;
        Files = files;
    }

    /// <summary>Relative directory paths, each after its parent.</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>Regular files in code point order of their relative paths.</summary>
    public IReadOnlyList<SchemaFile> Files { get; }

    public long TotalBytes => Files.Sum(static f => f.Size);

    public static SchemaTree Empty { get; } = new([], []);

    /// <summary>
    /// Scans <paramref name="root"/>. A missing root is an empty tree (as in the reference); a root
    /// that exists but is not a directory is an error.
    /// </summary>
    public static SchemaTree Scan(string root)
    {
        FileStatus? rootStatus = NativeFile.TryStatus(root);
        if (rootStatus is null)
        {
            return Empty;
        }

        if (rootStatus.Value.Kind != FileKind.Directory)
        {
            throw new HostileTreeException(root, $"the schema path is {FileStatus.Describe(rootStatus.Value.Kind)}, not a directory");
        }

        var directories = new List<string>();
        var files = new List<SchemaFile>();
        Walk(root, string.Empty, directories, files);
        files.Sort(static (a, b) => SchemaPath.CompareCodePoints(a.RelativePath, b.RelativePath));
        return new SchemaTree(directories, files);
    }

    private static void Walk(string root, string relativeDirectory, List<string> directories, List<SchemaFile> files)
    {
        // An explicit stack: 200 levels of nesting must not depend on the thread's stack size.
        var pending = new Stack<string>();
        pending.Push(relativeDirectory);
        while (pending.Count > 0)
        {
            string relative = pending.Pop();
            string absolute = relative.Length == 0 ? root : Path.Join(root, relative);
            List<DirectoryListing.Entry> entries = DirectoryListing.Read(absolute);
            entries.Sort(static (a, b) => a.RawName.AsSpan().SequenceCompareTo(b.RawName));
            var subdirectories = new List<string>();
            foreach (DirectoryListing.Entry entry in entries)
            {
                if (entry.Name is null)
                {
                    throw new HostileTreeException(
                        Path.Join(absolute, DirectoryListing.Printable(entry.RawName)),
                        "the file name is not valid UTF-8, so it cannot be recorded in the manifest");
                }

                string childRelative = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                string childAbsolute = Path.Join(absolute, entry.Name);
                FileStatus status = NativeFile.TryStatus(childAbsolute)
                    ?? throw new HostileTreeException(childAbsolute, "the entry disappeared while the tree was scanned");
                switch (status.Kind)
                {
                    case FileKind.Directory:
                        directories.Add(childRelative);
                        subdirectories.Add(childRelative);
                        break;
                    case FileKind.Regular:
                        if (SchemaPath.Validate(childRelative) is { } reason)
                        {
                            throw new HostileTreeException(childAbsolute, $"the name cannot be a manifest key: {reason}");
                        }

                        ThrowIfUnreadable(childAbsolute);
                        files.Add(new SchemaFile(childRelative, status.Size));
                        break;
                    default:
                        throw new HostileTreeException(childAbsolute, $"it is {FileStatus.Describe(status.Kind)}; only regular files and directories are copied");
                }
            }

            // Push in reverse so directories are visited, and listed, in name order.
            for (int i = subdirectories.Count - 1; i >= 0; i--)
            {
                pending.Push(subdirectories[i]);
            }
        }
    }

    /// <summary>
    /// Refuses a schema file this process may not read, now rather than when its turn to be copied
    /// comes: that is after the whole storage file, which can take minutes while writes are paused.
    /// Only a definite "no" counts; anything else is left for the copy to meet and report.
    /// </summary>
    private static void ThrowIfUnreadable(string path)
    {
        if (NativeFile.IsReadDenied(path, out int errno))
        {
            throw new NativeIOException("access", path, errno, "this process may not read it");
        }
    }
}

/// <summary>A schema file found by the scan.</summary>
internal readonly record struct SchemaFile(string RelativePath, long Size);

/// <summary>Something in a source tree that a snapshot refuses to copy.</summary>
internal sealed class HostileTreeException(string path, string reason) : Exception($"'{path}': {reason}.")
{
    public string Path { get; } = path;
}

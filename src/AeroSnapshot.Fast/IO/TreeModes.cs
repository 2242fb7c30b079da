namespace AeroSnapshot.Fast.IO;

/// <summary>
/// Gives every entry of a tree an operation built a mode and an owner, through descriptors: each
/// directory and file is opened relative to its parent with <c>O_NOFOLLOW</c> and changed with
/// <c>fchmod</c>/<c>fchown</c> on what was opened, never by path. Used where a tree was written by
/// code that does not know the owner (the archive reader of a restore from a backup); anything
/// but a regular file or a directory in it is an error, since such a tree holds none.
/// </summary>
internal static class TreeModes
{
    /// <summary>
    /// Applies <paramref name="modeFor"/> (given the path relative to <paramref name="root"/>, with
    /// <c>/</c> separators and empty for the root itself, and whether it is a directory) and
    /// <paramref name="owner"/> to the whole tree, each directory after what it holds.
    /// </summary>
    public static void Apply(DirectoryHandle root, Func<string, bool, uint> modeFor, Ownership owner)
    {
        ApplyBelow(root, string.Empty, modeFor, owner);
        root.SetModeAndOwner(modeFor(string.Empty, true), owner);
    }

    private static void ApplyBelow(DirectoryHandle directory, string prefix, Func<string, bool, uint> modeFor, Ownership owner)
    {
        foreach (DirectoryListing.Entry entry in directory.List())
        {
            string name = entry.Name ?? throw new NativeIOException("readdir", directory.ChildPath(DirectoryListing.Printable(entry.RawName)), Errno.EINVAL, "a name that is not UTF-8 in a tree this operation wrote");
            string relative = prefix + name;
            using (DirectoryHandle? child = directory.TryOpenDirectory(entry.RawName, out int errno))
            {
                if (child is not null)
                {
                    ApplyBelow(child, relative + "/", modeFor, owner);
                    child.SetModeAndOwner(modeFor(relative, true), owner);
                    continue;
                }

                if (errno != Errno.ENOTDIR)
                {
                    throw Errors.For("openat", directory.ChildPath(name), errno);
                }
            }

            using Microsoft.Win32.SafeHandles.SafeFileHandle file = directory.OpenForRead(name, out FileStatus status);
            if (status.Kind != FileKind.Regular)
            {
                throw new NativeIOException("openat", directory.ChildPath(name), Errno.EINVAL, $"it is {FileStatus.Describe(status.Kind)}, which this tree never holds");
            }

            NativeFile.SetModeAndOwner(file, directory.ChildPath(name), modeFor(relative, false), owner);
        }
    }
}

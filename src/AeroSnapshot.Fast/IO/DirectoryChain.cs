using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// Opens files and directories below a root directory by relative path (<c>/</c> separators), one
/// <c>O_NOFOLLOW</c> component at a time, so no link anywhere on the path is ever followed. The
/// directories opened on the way are kept for the next call: paths visited in tree order share
/// them, and a tree of thousands of files costs about one <c>openat</c> per directory.
/// </summary>
internal sealed class DirectoryChain : IDisposable
{
    private readonly DirectoryHandle _root;
    private readonly List<(string Name, DirectoryHandle Handle)> _open = [];

    public DirectoryChain(DirectoryHandle root) => _root = root;

    /// <summary>
    /// Opens <paramref name="relativePath"/> for reading (see <see cref="DirectoryHandle.OpenForRead"/>).
    /// A directory on the way that is a link fails with <c>ELOOP</c>, one that is not a directory
    /// with <c>ENOTDIR</c>.
    /// </summary>
    public SafeFileHandle OpenForRead(string relativePath, out FileStatus status)
    {
        int slash = relativePath.LastIndexOf('/');
        DirectoryHandle parent = Descend(relativePath, Math.Max(slash, 0));
        return parent.OpenForRead(slash < 0 ? relativePath : relativePath[(slash + 1)..], out status);
    }

    /// <summary>
    /// The directory at <paramref name="relativePath"/> (empty for the root). The handle belongs to
    /// the chain: it stays valid until a call that leaves it, or until the chain is disposed.
    /// </summary>
    public DirectoryHandle OpenDirectory(string relativePath) => Descend(relativePath, relativePath.Length);

    public void Dispose() => CloseFrom(0);

    /// <summary>Opens (or reuses) every directory of <c>relativePath[..end]</c>.</summary>
    private DirectoryHandle Descend(string relativePath, int end)
    {
        DirectoryHandle current = _root;
        int depth = 0;
        int start = 0;
        while (start < end)
        {
            int slash = relativePath.IndexOf('/', start, end - start);
            int stop = slash < 0 ? end : slash;
            ReadOnlySpan<char> segment = relativePath.AsSpan(start, stop - start);
            if (depth < _open.Count && segment.SequenceEqual(_open[depth].Name))
            {
                current = _open[depth].Handle;
            }
            else
            {
                CloseFrom(depth);
                string name = segment.ToString();
                current = current.OpenDirectory(name);
                _open.Add((name, current));
            }

            depth++;
            start = stop + 1;
        }

        return current;
    }

    private void CloseFrom(int depth)
    {
        for (int i = _open.Count - 1; i >= depth; i--)
        {
            _open[i].Handle.Dispose();
            _open.RemoveAt(i);
        }
    }
}

using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// Stands in for a child process the host forked while the library held some descriptors open:
/// each descriptor of this process open on one of the given paths is duplicated, and a duplicate
/// shares the open file description exactly as a forked child's copy does until its <c>exec</c>
/// closes it. While this is alive, the library's own close does not close the description, so
/// whatever belongs to the description (a <c>flock</c>) outlives that close unless the library
/// releases it explicitly. Deterministic, where a real fork racing the close is not.
/// </summary>
internal sealed partial class ForkedChildStandIn : IDisposable
{
    private const int DuplicateCloseOnExec = 1030; // F_DUPFD_CLOEXEC

    private readonly List<int> _duplicates;

    private ForkedChildStandIn(List<int> duplicates) => _duplicates = duplicates;

    /// <summary>Duplicates every descriptor open on one of <paramref name="paths"/>; fails if there is none, since then it stands in for nothing.</summary>
    public static ForkedChildStandIn HoldingDescriptorsOn(params string[] paths)
    {
        var duplicates = new List<int>();
        // Listed whole before the first dup: a duplicate made while listing could be listed and duplicated in turn.
        foreach ((int fd, string target) in OpenDescriptors.OfThisProcess().Where(d => paths.Contains(d.Target, StringComparer.Ordinal)).ToList())
        {
            int duplicate = fcntl(fd, DuplicateCloseOnExec, 0);
            if (duplicate < 0)
            {
                throw new IOException($"fcntl(F_DUPFD_CLOEXEC) of descriptor {fd} on '{target}' failed: errno {Marshal.GetLastPInvokeError()}");
            }

            duplicates.Add(duplicate);
        }

        return duplicates.Count > 0
            ? new ForkedChildStandIn(duplicates)
            : throw new InvalidOperationException($"No descriptor of this process is open on {string.Join(", ", paths.Select(static p => $"'{p}'"))}.");
    }

    /// <summary>The "child" execs: its copies are closed.</summary>
    public void Dispose()
    {
        foreach (int duplicate in _duplicates)
        {
            _ = close(duplicate);
        }

        _duplicates.Clear();
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc.so.6")]
    private static partial int close(int fd);
}

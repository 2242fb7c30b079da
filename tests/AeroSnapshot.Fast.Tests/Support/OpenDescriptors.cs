using System.Globalization;

namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>This process's open descriptors and the paths they refer to, read from <c>/proc/self/fd</c>.</summary>
internal static class OpenDescriptors
{
    /// <summary>
    /// Every descriptor with the target of its <c>/proc/self/fd</c> link. A descriptor closed between
    /// the listing and the reading of its link (the listing's own, or another test's) is left out.
    /// </summary>
    public static IEnumerable<(int Fd, string Target)> OfThisProcess()
    {
        foreach (string entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(entry).LinkTarget;
            }
            catch (IOException)
            {
                continue;
            }

            if (target is not null)
            {
                yield return (int.Parse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture), target);
            }
        }
    }
}

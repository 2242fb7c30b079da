using AeroSnapshot.Fast.IO;
using AeroSnapshot.TestSupport;

namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>Owners and modes of a tree, read with <c>statx</c> without following links, for the restores' ownership tests.</summary>
internal static class OwnerAndModes
{
    /// <summary>An owner the tests give a data directory: neither root nor anyone the test runs as.</summary>
    public const uint ServiceUser = 1000;

    /// <summary>A group the tests give it (nogroup), different from the user's id so a swap of the two shows.</summary>
    public const uint ServiceGroup = 65534;

    /// <summary>Gives the whole tree at <paramref name="path"/> the service account (as root: <c>chown -R</c>).</summary>
    public static void GiveToServiceAccount(string path)
        => ExternalCommand.Run("chown", "-R", $"{ServiceUser}:{ServiceGroup}", path);

    public static FileStatus Of(string path) => NativeFile.TryStatus(path) ?? throw new FileNotFoundException(path);

    public static uint Mode(string path) => Of(path).Permissions;

    /// <summary>
    /// Every entry below <paramref name="root"/> (and the root) that <paramref name="skip"/> does not
    /// exclude, as "relative owner:group mode", for the ones whose owner or group is not the service
    /// account's or whose mode grants group or others more than <paramref name="allowedOtherBits"/>.
    /// </summary>
    public static List<string> Offenders(string root, uint allowedOtherBits, Func<string, bool>? skip = null)
    {
        var offenders = new List<string>();
        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Prepend(root))
        {
            string relative = Path.GetRelativePath(root, path);
            if (skip?.Invoke(relative) == true)
            {
                continue;
            }

            FileStatus status = Of(path);
            if (status.Owner != ServiceUser || status.Group != ServiceGroup || (status.Permissions & 0b000_111_111 & ~allowedOtherBits) != 0)
            {
                offenders.Add($"{relative} {status.Owner}:{status.Group} {Convert.ToString(status.Permissions, 8)}");
            }
        }

        return offenders;
    }
}

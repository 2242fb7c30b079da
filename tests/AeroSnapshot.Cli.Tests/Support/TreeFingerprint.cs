using System.Globalization;
using System.IO.Hashing;

namespace AeroSnapshot.Cli.Tests.Support;

/// <summary>
/// What a data directory holds, compared by content: every entry under a root but the <c>LOCK</c>
/// file (which the tool may create), as its size and CRC-32, or "dir". Two fingerprints are the
/// same when the trees hold the same names with the same bytes.
/// </summary>
public static class TreeFingerprint
{
    public static Dictionary<string, string> Of(string root)
    {
        var listing = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, entry);
            if (relative == "LOCK")
            {
                continue;
            }

            listing[relative] = Directory.Exists(entry)
                ? "dir"
                : string.Create(CultureInfo.InvariantCulture, $"{new FileInfo(entry).Length} {Crc32.HashToUInt32(File.ReadAllBytes(entry)):x8}");
        }

        return listing;
    }

    public static bool Same(Dictionary<string, string> a, Dictionary<string, string> b)
        => a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out string? v) && v == kv.Value);
}

using System.Globalization;
using System.IO.Hashing;

namespace AeroSnapshot.Cli.Tests.Support;

/// <summary>
/// Everything under a root, one line per entry, sorted: its relative path, type and permission bits,
/// and for a file its size, modification time and CRC-32, for a link its target. Two
/// listings are equal when nothing under the root was created, removed, renamed, rewritten or
/// re-moded (LOCK and names starting with a dot included): what "a dry run changes nothing" means.
/// </summary>
public static class TreeListing
{
    private static readonly EnumerationOptions Everything = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    public static string[] Of(string root)
    {
        var lines = new List<string> { Line(root, new DirectoryInfo(root)) };
        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", Everything))
        {
            lines.Add(Line(root, new FileInfo(path)));
        }

        lines.Sort(StringComparer.Ordinal);
        return [.. lines];
    }

    private static string Line(string root, FileSystemInfo entry)
    {
        string relative = Path.GetRelativePath(root, entry.FullName);
        string mode = Convert.ToString((int)entry.UnixFileMode, 8);
        if (entry.LinkTarget is { } target)
        {
            return $"{relative} link {mode} -> {target}";
        }

        if (Directory.Exists(entry.FullName))
        {
            return $"{relative}/ dir {mode}";
        }

        // An empty file is not opened: the runtime's FileShare emulation takes a shared flock, which
        // fails on a LOCK another process holds.
        var file = new FileInfo(entry.FullName);
        uint crc = file.Length == 0 ? 0 : Crc32.HashToUInt32(File.ReadAllBytes(file.FullName));
        return string.Create(CultureInfo.InvariantCulture, $"{relative} file {mode} {file.Length} {file.LastWriteTimeUtc:O} {crc:x8}");
    }
}

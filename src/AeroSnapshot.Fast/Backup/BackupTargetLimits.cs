using System.Text;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// The names a restore can create: each component at most the target file system's NAME_MAX bytes,
/// and each whole path it opens shorter than Linux's PATH_MAX (4096 bytes with its NUL). A backup
/// whose schema tree breaks either is refused as corrupt by verify-backup and restore-backup alike,
/// before anything is written, instead of failing with ENAMETOOLONG half-way through the unpack.
/// </summary>
/// <param name="NameMax">The longest name, in bytes.</param>
/// <param name="PathBudget">Bytes a path inside the new data directory may have (<c>metadata/schemas/…</c>).</param>
/// <param name="Target">The data directory measured against; null when none was given.</param>
internal readonly record struct BackupTargetLimits(int NameMax, int PathBudget, string? Target)
{
    /// <summary>Linux's PATH_MAX: a path handed to a system call, its terminating NUL included.</summary>
    public const int PathMax = 4096;

    /// <summary>NAME_MAX of every Linux file system a database is put on (ext4, XFS, btrfs, tmpfs).</summary>
    public const int DefaultNameMax = 255;

    /// <summary>Without a target: the names any Linux file system takes, paths measured from the data directory.</summary>
    public static BackupTargetLimits Anywhere { get; } = new(DefaultNameMax, PathMax - 1, null);

    /// <summary>
    /// For a restore into <paramref name="paths"/>: NAME_MAX of the file system holding its parent
    /// (where the new data directory is built), and the path budget left after the prefix the
    /// restore writes under, <c>&lt;data-dir&gt;.restore-backup-tmp/data/</c> (longer than the final one).
    /// </summary>
    public static BackupTargetLimits For(BackupRestorePaths paths)
        => new(NativeFile.MaxNameLength(paths.Parent), PathMax - 1 - Encoding.UTF8.GetByteCount(paths.Swapped + "/"), paths.DataDirectory);

    /// <summary>Why <paramref name="relative"/> (a path inside the new data directory) cannot be created, or null.</summary>
    public string? Check(string relative)
    {
        foreach (Range segment in relative.AsSpan().Split('/'))
        {
            int bytes = Encoding.UTF8.GetByteCount(relative.AsSpan()[segment]);
            if (bytes > NameMax)
            {
                return $"its name '{relative[segment]}' is {bytes} bytes long, more than {FileSystem}'s NAME_MAX of {NameMax}";
            }
        }

        int length = Encoding.UTF8.GetByteCount(relative);
        return length > PathBudget
            ? $"its path in the data directory is {length} bytes long, more than the {PathBudget} that PATH_MAX ({PathMax}) leaves it{Under}"
            : null;
    }

    private string FileSystem => Target is null ? "a Linux file system" : $"the file system of '{Target}'";

    private string Under => Target is null ? string.Empty : $" under '{Target}.restore-backup-tmp/data/'";
}

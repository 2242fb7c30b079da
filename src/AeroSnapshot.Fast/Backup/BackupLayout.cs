using System.Formats.Tar;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// What a backup archive holds and how its headers look. Everything here is fixed, so the same
/// snapshot and WAL give the same bytes: entries in a fixed order, mtime 0 (1970-01-01), uid and gid
/// 0, no user or group names, mode 0644 for files and 0755 for directories.
/// </summary>
/// <remarks>
/// The format is GNU tar, chosen by measurement: .NET's PAX writer names every extended header
/// <c>PaxHeaders.&lt;process id&gt;</c>, so two processes archiving the same files write different
/// bytes; ustar cannot hold a path longer than 255 bytes, and a schema tree may have one. GNU stores
/// long names in <c>././@LongLink</c> entries, whose headers .NET fills with constants, and writes
/// no access or change times. GNU tar, bsdtar and Python's tarfile all read it.
/// <para>Order: <c>snapshot/</c>, <c>snapshot/manifest.json</c> first (restore reads it before the
/// data, so it checks every file's CRC-32 in the same pass that unpacks it), <c>snapshot/storage.dat</c>,
/// <c>snapshot/schemas/</c> and its tree sorted by ordinal path (a directory before what it holds),
/// <c>wal/</c>, <c>wal/wal.log</c> when there is a WAL, and <c>backup_manifest.json</c> last (the
/// contract's creation order).</para>
/// </remarks>
internal static class BackupLayout
{
    public const TarEntryFormat Format = TarEntryFormat.Gnu;

    public const string SnapshotDirectory = "snapshot/";
    public const string SnapshotManifest = "snapshot/manifest.json";
    public const string SnapshotStorage = "snapshot/storage.dat";
    public const string SnapshotSchemas = "snapshot/schemas/";
    public const string WalDirectory = "wal/";
    public const string WalFile = "wal/wal.log";

    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static readonly DateTimeOffset ModificationTime = DateTimeOffset.UnixEpoch;

    /// <summary>A header with every field fixed.</summary>
    public static GnuTarEntry Entry(TarEntryType type, string name)
    {
        var entry = new GnuTarEntry(type, name)
        {
            ModificationTime = ModificationTime,
            Mode = type == TarEntryType.Directory ? DirectoryMode : FileMode,
            Uid = 0,
            Gid = 0,
            UserName = string.Empty,
            GroupName = string.Empty,
        };
        return entry;
    }
}

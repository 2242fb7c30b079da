using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Restoring;

/// <summary>
/// What a restore (from a snapshot or from a backup) gives everything it writes: the owner and group
/// of the data directory it replaces, so a restore run as root leaves the database's account able to
/// open its own files, and modes no wider than that directory allowed, so a private (0700) data
/// directory stays private. Files that had a mode of their own (the storage file, <c>LOCK</c>, the
/// WAL) keep it; the caller decides those.
/// </summary>
/// <param name="Owner">The replaced directory's owner and group, given with <c>fchown</c> where a file has others.</param>
/// <param name="DirectoryPermissions">The replaced data directory's own permission bits, which the new one gets.</param>
internal sealed record RestoredModes(Ownership Owner, uint DirectoryPermissions)
{
    private const uint OwnerBits = 0b111_000_000;

    /// <summary>The modes for a replacement of the directory described by <paramref name="dataDirectory"/>.</summary>
    public static RestoredModes Of(FileStatus dataDirectory) => new(Ownership.Of(dataDirectory), dataDirectory.Permissions & 0b111_111_111);

    /// <summary>A new directory: 0755, with the group and other bits the old directory did not grant removed.</summary>
    public uint NewDirectory => FileModes.Directory & (OwnerBits | DirectoryPermissions);

    /// <summary>A new file: 0644, with the group and other bits the old directory did not grant removed.</summary>
    public uint NewFile => FileModes.File & (OwnerBits | DirectoryPermissions);
}

/// <summary>Where a restore puts the storage file, and its mode.</summary>
/// <param name="Location">At the top, or under <c>data/</c>.</param>
/// <param name="Permissions">The storage file's permission bits (the replaced one's, when there was one).</param>
/// <param name="DirectoryPermissions">The bits of <c>data/</c> when the storage file goes there (the replaced one's, when there was one).</param>
internal sealed record RestoredStorage(StorageFileLocation Location, uint Permissions, uint DirectoryPermissions);

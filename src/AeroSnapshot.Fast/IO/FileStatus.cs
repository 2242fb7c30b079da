using AeroSnapshot.Fast.IO.Interop;

namespace AeroSnapshot.Fast.IO;

/// <summary>What kind of file system object a path or descriptor is.</summary>
internal enum FileKind
{
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
    Unknown,
}

/// <summary>The parts of <c>statx</c> the library uses: kind, size, modification time, mode and owner.</summary>
internal readonly record struct FileStatus(FileKind Kind, long Size, long ModifiedSeconds, uint ModifiedNanoseconds, ulong Inode, long AllocatedBytes)
{
    /// <summary>The permission bits (<c>mode &amp; 07777</c>), so a restore can give a replaced directory the old one's mode.</summary>
    public uint Permissions { get; init; }

    /// <summary>The owner's user id, so a restore can give what it writes the replaced directory's owner.</summary>
    public uint Owner { get; init; }

    /// <summary>The group id.</summary>
    public uint Group { get; init; }

    internal static FileStatus From(in Sys.StatxResult result) => new(
        result.FileType switch
        {
            Sys.TypeRegular => FileKind.Regular,
            Sys.TypeDirectory => FileKind.Directory,
            Sys.TypeSymlink => FileKind.SymbolicLink,
            Sys.TypeFifo => FileKind.Fifo,
            Sys.TypeSocket => FileKind.Socket,
            Sys.TypeCharDevice => FileKind.CharacterDevice,
            Sys.TypeBlockDevice => FileKind.BlockDevice,
            _ => FileKind.Unknown,
        },
        (long)result.Size,
        result.ModifiedSeconds,
        result.ModifiedNanoseconds,
        result.Inode,
        (long)result.Blocks * 512)
    {
        Permissions = result.Mode & 0xFFFu,
        Owner = result.Uid,
        Group = result.Gid,
    };

    /// <summary>A human name for the kind, for error messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Fifo => "a FIFO",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        _ => "an unknown kind of file",
    };
}

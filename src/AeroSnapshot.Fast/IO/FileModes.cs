namespace AeroSnapshot.Fast.IO;

/// <summary>
/// The permission bits the library creates things with, named once. The kernel filters a mode
/// given to <c>open</c> or <c>mkdir</c> through the umask; where a mode must be exact (restore), it
/// is set afterwards with <c>fchmod</c>.
/// </summary>
internal static class FileModes
{
    /// <summary>0444: snapshot files, never modified after they are written.</summary>
    public const uint ReadOnlyFile = 0b100_100_100;

    /// <summary>0644: files the database goes on writing (restored data, LOCK, archives, small documents).</summary>
    public const uint File = 0b110_100_100;

    /// <summary>0600: files only this process should read (a restore's intent marker).</summary>
    public const uint PrivateFile = 0b110_000_000;

    /// <summary>0755: directories.</summary>
    public const uint Directory = 0b111_101_101;

    /// <summary>0700: a work directory nobody else may put anything in (or, while it is deleted, read).</summary>
    public const uint PrivateDirectory = 0b111_000_000;
}

using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    internal const int AtSymlinkNoFollow = 0x100;
    internal const int AtEmptyPath = 0x1000;
    internal const uint StatxBasicStats = 0x7ff;

    internal const uint FileTypeMask = 0xF000;
    internal const uint TypeRegular = 0x8000;
    internal const uint TypeDirectory = 0x4000;
    internal const uint TypeSymlink = 0xA000;
    internal const uint TypeFifo = 0x1000;
    internal const uint TypeSocket = 0xC000;
    internal const uint TypeCharDevice = 0x2000;
    internal const uint TypeBlockDevice = 0x6000;

    /// <summary>
    /// <c>struct statx</c>: unlike <c>struct stat</c> its layout is the same on every
    /// architecture, which is why it is used instead.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct StatxResult
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(4)] public uint BlockSize;
        [FieldOffset(16)] public uint LinkCount;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(48)] public ulong Blocks;
        [FieldOffset(112)] public long ModifiedSeconds;
        [FieldOffset(120)] public uint ModifiedNanoseconds;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;

        public readonly uint FileType => Mode & FileTypeMask;
    }

    [LibraryImport(Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Statx(int dirFd, string path, int flags, uint mask, out StatxResult result);

    /// <summary>The same call for a name given as its raw, NUL-terminated bytes (a name that is not UTF-8).</summary>
    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true)]
    internal static unsafe partial int Statx(int dirFd, byte* path, int flags, uint mask, out StatxResult result);
}

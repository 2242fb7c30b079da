using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    /// <summary><c>struct statvfs</c> of 64-bit glibc (identical on x64 and arm64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct StatVfsResult
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong FreeBlocks;
        public ulong AvailableBlocks;
        public ulong Files;
        public ulong FreeFiles;
        public ulong AvailableFiles;
        public ulong FileSystemId;
        public ulong Flags;
        public ulong NameMax;
        private unsafe fixed int _spare[6];
    }

    internal const ulong StatVfsReadOnly = 1;

    [LibraryImport(Libc, EntryPoint = "statvfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int StatVfs(string path, out StatVfsResult result);
}

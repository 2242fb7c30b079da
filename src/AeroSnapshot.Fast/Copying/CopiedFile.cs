using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Copying;

/// <summary>What <see cref="FileCopier.Copy"/> read and wrote.</summary>
/// <param name="Checksum">The CRC-32 of every byte read.</param>
/// <param name="Length">How many bytes were read (and written).</param>
/// <param name="Writeback">The writeback window's final state: after the caller's fdatasync,
/// <see cref="WritebackWindow.OnSynced"/> drops the copy's last pages.</param>
internal readonly record struct CopiedFile(Crc32Checksum Checksum, long Length, WritebackWindow Writeback);

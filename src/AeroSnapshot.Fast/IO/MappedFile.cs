using System.Runtime.InteropServices;
using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// The first <see cref="Length"/> bytes of a file, mapped read-only and shared: the file's page-cache
/// pages themselves, read in place without a copy into a buffer and without a system call per chunk.
/// The pre-copy maps the storage prefix (and, with <c>populate</c>, pays for the page tables) before
/// the pause, so that the pause can re-hash the prefix at memory speed.
/// </summary>
/// <remarks>
/// The mapping shows the file as it is now, not as it was when mapped: what the database writes in
/// place is seen, which is what the re-hash is for. Reading a page past the file's end raises
/// SIGBUS, which ends the process: callers check the file's size first and read only while the
/// database's writes are paused, and AeroDB's storage file is append-only (it never shrinks).
/// Mapping outlives the descriptor it was made from; dispose unmaps.
/// </remarks>
internal sealed class MappedFile : SafeHandle
{
    private MappedFile(nint address, long length)
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
    }

    /// <summary>Bytes mapped.</summary>
    public long Length { get; }

    public override bool IsInvalid => handle == 0;

    /// <summary>
    /// Maps <c>[0, length)</c> of <paramref name="file"/>; with <paramref name="populate"/> every page is
    /// faulted in now (<c>MAP_POPULATE</c>) instead of on first access. A length of 0 maps nothing.
    /// </summary>
    public static MappedFile Map(SafeFileHandle file, string path, long length, bool populate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            return new MappedFile(0, 0);
        }

        using var fd = new RawDescriptor(file);
        nint address = Sys.MMap(0, (nuint)length, Sys.ProtRead, Sys.MapShared | (populate ? Sys.MapPopulate : 0), fd.Value, 0);
        if (address == -1)
        {
            throw Errors.Last("mmap", path);
        }

        // Read front to back: let the kernel read ahead and fault around generously.
        _ = Sys.MAdvise(address, (nuint)length, Sys.MAdviseSequential);
        return new MappedFile(address, length);
    }

    /// <summary>The mapped bytes <c>[offset, offset + count)</c>.</summary>
    public unsafe ReadOnlySpan<byte> Slice(long offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, Length);
        ObjectDisposedException.ThrowIf(IsClosed, this);
        return count == 0 ? [] : new ReadOnlySpan<byte>((byte*)handle + offset, count);
    }

    protected override bool ReleaseHandle() => Sys.MUnmap(handle, (nuint)Length) == 0;
}

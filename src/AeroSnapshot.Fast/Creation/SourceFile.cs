using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Creation;

/// <summary>An open source file and what it looked like before copying.</summary>
internal readonly struct SourceFile(SafeFileHandle handle, string path, FileStatus status, bool ownsHandle) : IDisposable
{
    public SafeFileHandle Handle { get; } = handle;

    public string Path { get; } = path;

    public FileStatus Status { get; } = status;

    public void Dispose()
    {
        if (ownsHandle)
        {
            Handle.Dispose();
        }
    }
}

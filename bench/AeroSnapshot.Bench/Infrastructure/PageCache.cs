using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.IO.Interop;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Bench.Infrastructure;

/// <summary>
/// Puts files in a known cache state between iterations: written back and dropped from the page
/// cache (a cold source, as after a restart), without dropping the whole machine's cache.
/// </summary>
internal static class PageCache
{
    public static void Evict(string path)
    {
        using SafeFileHandle handle = NativeFile.OpenRegularForRead(path, out _);
        using var fd = new RawDescriptor(handle);
        // DONTNEED only drops clean pages: write them back first.
        _ = Sys.FSync(fd.Value);
        _ = Sys.FAdvise(fd.Value, 0, 0, Sys.FAdviseDontNeed);
    }

    public static void EvictTree(string root)
    {
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            Evict(file);
        }
    }

    /// <summary>Reads every file once so that it is cached.</summary>
    public static void Warm(string root)
    {
        byte[] buffer = new byte[1 << 20];
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            WarmFile(file, buffer);
        }
    }

    /// <summary>Reads one file once so that it is cached.</summary>
    public static void WarmFile(string path) => WarmFile(path, new byte[1 << 20]);

    private static void WarmFile(string path, byte[] buffer)
    {
        using FileStream stream = File.OpenRead(path);
        while (stream.Read(buffer) > 0)
        {
        }
    }
}

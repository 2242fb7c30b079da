using System.Globalization;
using AeroSnapshot.Fast.Checkpoint;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>
/// Entry point of the test assembly when it is started as a program with <c>--allocation-probe</c>:
/// measures what the write paths allocate and prints one <c>name=bytes</c> line per case.
/// </summary>
/// <remarks>
/// It exists because an in-process measurement can only see the code as it is jitted at that moment.
/// AeroDB writes a manifest every few minutes, so in production the writer mostly runs as tier-0 code,
/// never promoted; <see cref="ManifestWriterAllocationTests"/> starts this probe with tier promotion
/// switched off to measure exactly that code.
/// </remarks>
public static class ColdAllocationProbe
{
    public const string Argument = "--allocation-probe";

    public static int Main(string[] args)
    {
        if (!args.Contains(Argument))
        {
            Console.Error.WriteLine($"This is a test assembly; run it with dotnet test, or with {Argument}.");
            return 2;
        }

        foreach ((string name, long bytes) in Measure())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}={bytes}"));
        }

        return 0;
    }

    public static IEnumerable<(string Name, long Bytes)> Measure()
    {
        foreach ((int schemas, bool mvcc) in new[] { (0, false), (1, false), (2_000, false), (10, true) })
        {
            SnapshotManifest manifest = ManifestWriterAllocationTests.ManifestWith(schemas, mvcc ? SnapshotManifest.MvccFormatVersion : null);
            byte[] buffer = new byte[manifest.GetUtf8ByteCount()];
            byte[] tooSmall = new byte[buffer.Length / 2];
            string suffix = string.Create(CultureInfo.InvariantCulture, $"({schemas} schemas, v{manifest.FormatVersion})");

            yield return ("TryWriteUtf8" + suffix, AllocatedBy(() => manifest.TryWriteUtf8(buffer, out _)));
            yield return ("TryWriteUtf8 into a too-small buffer" + suffix, AllocatedBy(() => manifest.TryWriteUtf8(tooSmall, out _)));
            yield return ("GetUtf8ByteCount" + suffix, AllocatedBy(() => manifest.GetUtf8ByteCount()));
        }

        CheckpointMarker marker = ManifestWriterAllocationTests.Marker;
        byte[] markerBuffer = new byte[marker.GetUtf8ByteCount()];
        yield return ("CheckpointMarker.TryWriteUtf8", AllocatedBy(() => marker.TryWriteUtf8(markerBuffer, out _)));
    }

    /// <summary>Bytes allocated by the second call: the first may run static constructors, once per process.</summary>
    public static long AllocatedBy<T>(Func<T> write)
    {
        _ = write();
        long before = GC.GetAllocatedBytesForCurrentThread();
        _ = write();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}

using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Json;

namespace AeroSnapshot.Fuzz;

/// <summary>
/// The property every fuzzing mode checks, on any bytes: each of the library's document readers
/// (<c>manifest.json</c>, <c>checkpoint.json</c>) either returns a document or throws
/// <see cref="ManifestFormatException"/> — recovery treats that one exception as "skip this
/// snapshot", so anything else would crash the database — and a document it accepts is written
/// back and read again unchanged. Any other outcome escapes as an exception: a finding.
/// </summary>
internal static class Target
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        Manifest(input);
        Marker(input);
    }

    private static void Manifest(ReadOnlySpan<byte> input)
    {
        SnapshotManifest manifest;
        try
        {
            manifest = SnapshotManifest.ReadUtf8(input);
        }
        catch (ManifestFormatException)
        {
            return;
        }

        byte[] written = new byte[manifest.GetUtf8ByteCount()];
        if (!manifest.TryWriteUtf8(written, out int length) || length != written.Length)
        {
            throw new FuzzFindingException($"an accepted manifest could not be written back ({length} of {written.Length} bytes)");
        }

        if (!SnapshotManifest.ReadUtf8(written).Equals(manifest))
        {
            throw new FuzzFindingException("an accepted manifest changed when written and read back");
        }
    }

    private static void Marker(ReadOnlySpan<byte> input)
    {
        CheckpointMarker marker;
        try
        {
            marker = CheckpointMarker.ReadUtf8(input);
        }
        catch (ManifestFormatException)
        {
            return;
        }

        byte[] written = new byte[marker.GetUtf8ByteCount()];
        if (!marker.TryWriteUtf8(written, out int length) || length != written.Length
            || !CheckpointMarker.ReadUtf8(written).Equals(marker))
        {
            throw new FuzzFindingException("an accepted checkpoint marker did not survive being written and read back");
        }
    }
}

/// <summary>The target broke its contract on some input.</summary>
internal sealed class FuzzFindingException : Exception
{
    public FuzzFindingException()
    {
    }

    public FuzzFindingException(string message)
        : base(message)
    {
    }

    public FuzzFindingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

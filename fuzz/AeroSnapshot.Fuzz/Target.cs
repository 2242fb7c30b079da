using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.ManifestFormat;

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
        BackupManifestDocument(input);
        Wal(input);
    }

    private static void BackupManifestDocument(ReadOnlySpan<byte> input)
    {
        AeroSnapshot.Fast.Backup.BackupManifest manifest;
        try
        {
            manifest = AeroSnapshot.Fast.Backup.BackupManifest.ReadUtf8(input);
        }
        catch (ManifestFormatException)
        {
            return;
        }

        if (!AeroSnapshot.Fast.Backup.BackupManifest.ReadUtf8(manifest.ToUtf8()).Equals(manifest))
        {
            throw new FuzzFindingException("an accepted backup_manifest.json did not survive being written and read back");
        }
    }

    /// <summary>
    /// The WAL record frame: any bytes are a valid WAL or a <c>WalFrameException</c> at an offset
    /// inside them, whether the length is known up front or not, and however the bytes are chunked.
    /// </summary>
    private static void Wal(ReadOnlySpan<byte> input)
    {
        long? first = WalOutcome(input, knownLength: true, chunk: 7);
        long? second = WalOutcome(input, knownLength: false, chunk: Math.Max(1, input.Length / 3));
        if (first != second)
        {
            throw new FuzzFindingException($"the WAL validator's verdict depends on chunking or on knowing the length ({first} vs {second})");
        }
    }

    /// <summary>Null when valid, else the offset of the bad record.</summary>
    private static long? WalOutcome(ReadOnlySpan<byte> input, bool knownLength, int chunk)
    {
        var validator = new AeroSnapshot.Fast.Wal.WalFrameValidator("fuzz", knownLength ? input.Length : null);
        try
        {
            for (int offset = 0; offset < input.Length; offset += chunk)
            {
                validator.Append(input.Slice(offset, Math.Min(chunk, input.Length - offset)));
            }

            if (validator.Complete().Bytes != input.Length)
            {
                throw new FuzzFindingException("an accepted WAL's length is not the input's");
            }

            return null;
        }
        catch (AeroSnapshot.Fast.Wal.WalFrameException frame)
        {
            if (frame.RecordOffset < 0 || frame.RecordOffset >= Math.Max(input.Length, 1))
            {
                throw new FuzzFindingException($"a WAL problem was reported at offset {frame.RecordOffset}, outside the {input.Length} input bytes");
            }

            return frame.RecordOffset;
        }
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

using AeroSnapshot.Fast.Hashing;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Copying;

/// <summary>
/// One file, or one range of it, for <see cref="FileCopier"/>: what to read, where to write it
/// (nothing, to only hash), through which buffer, how, and which hashes to keep on the way (the
/// CRC-32 from zero or continuing an earlier range's, none, and optionally a strong hash per chunk).
/// A <c>ref struct</c> because it carries the pooled buffer's span; nothing in it is allocated.
/// </summary>
internal readonly ref struct CopyJob
{
    /// <summary>The file read from <see cref="Offset"/> for <see cref="Length"/> bytes, or to its end.</summary>
    public required SafeFileHandle Source { get; init; }

    /// <summary>Where the range starts, in the source and in the destination alike.</summary>
    public long Offset { get; init; }

    /// <summary>How many bytes to read at most; -1 (the default) for all of the file from <see cref="Offset"/>.</summary>
    public long Length { get; init; }

    /// <summary>
    /// The CRC-32 the bytes read are appended to, continuing whatever it already holds (a pre-copied
    /// prefix's); null for a fresh one, reported in the result.
    /// </summary>
    public StreamingCrc32? Crc { get; init; }

    /// <summary>Skips the CRC-32 (a pass that only compares strong hashes); the result's checksum is then meaningless.</summary>
    public bool WithoutCrc { get; init; }

    /// <summary>A strong hash per chunk, recorded or compared (a comparison stops the read at the first difference); null for none.</summary>
    public ChunkHashes? ChunkHashes { get; init; }

    /// <summary>Sees every chunk read, in order (the WAL validator); null for none.</summary>
    public IChunkObserver? Observer { get; init; }

    /// <summary>The source's path, for errors and progress.</summary>
    public required string SourcePath { get; init; }

    /// <summary>The file written at the same offsets as the source is read; null to only hash.</summary>
    public SafeFileHandle? Destination { get; init; }

    /// <summary>The destination's path, for errors.</summary>
    public string DestinationPath { get; init; }

    /// <summary>The pooled, page-aligned buffer every read fills and every write empties.</summary>
    public required Span<byte> Buffer { get; init; }

    /// <summary>How the destination is written.</summary>
    public DestinationWriteMode Mode { get; init; }

    /// <summary>The early-writeback window in bytes for a buffered destination; 0 for none.</summary>
    public long WritebackWindowBytes { get; init; }

    /// <summary>Where the bytes copied are reported.</summary>
    public ProgressReporter Progress { get; init; }

    /// <summary>Checked before every read.</summary>
    public CancellationToken Cancellation { get; init; }

    public CopyJob()
    {
        Length = -1;
        DestinationPath = string.Empty;
        Progress = ProgressReporter.None;
    }
}

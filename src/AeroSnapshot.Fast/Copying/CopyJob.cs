using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Copying;

/// <summary>
/// One file for <see cref="FileCopier"/>: what to read, where to write it (nothing, to only
/// checksum), through which buffer and how. A <c>ref struct</c> because it carries the pooled
/// buffer's span; nothing in it is allocated.
/// </summary>
internal readonly ref struct CopyJob
{
    /// <summary>The file read from offset 0 to its end.</summary>
    public required SafeFileHandle Source { get; init; }

    /// <summary>The source's path, for errors and progress.</summary>
    public required string SourcePath { get; init; }

    /// <summary>The new, empty file written from offset 0; null to only compute the CRC.</summary>
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
        DestinationPath = string.Empty;
        Progress = ProgressReporter.None;
    }
}

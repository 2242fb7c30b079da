namespace AeroSnapshot.Fast;

/// <summary>How far a snapshot (or a verification or restore) has got.</summary>
/// <param name="BytesDone">Bytes copied or read so far.</param>
/// <param name="BytesTotal">Bytes there are to copy or read in all.</param>
/// <param name="CurrentFile">The source file being processed.</param>
public readonly record struct SnapshotProgress(long BytesDone, long BytesTotal, string CurrentFile);

namespace AeroSnapshot.Fast.Copying;

/// <summary>Counts bytes done against a total and tells the caller's callback, if any.</summary>
internal sealed class ProgressReporter(IProgress<SnapshotProgress>? callback, long totalBytes)
{
    public static ProgressReporter None { get; } = new(null, 0);

    public long BytesDone { get; private set; }

    public long TotalBytes { get; } = totalBytes;

    public void Advance(long bytes, string currentFile)
    {
        if (callback is null)
        {
            return;
        }

        BytesDone += bytes;
        callback.Report(new SnapshotProgress(BytesDone, TotalBytes, currentFile));
    }
}

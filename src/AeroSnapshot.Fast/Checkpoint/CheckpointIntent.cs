using System.Globalization;
using System.Text;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Checkpoint;

/// <summary>
/// <c>&lt;data-dir&gt;/.checkpoint-intent</c>: written durably after the checkpoint's snapshot is
/// published and before <c>checkpoint.json</c>, removed once the WAL reset is durable. It records
/// which snapshot the checkpoint was taken from, which WAL it resets and how long that WAL was when
/// it was fsynced, so <see cref="CheckpointRecovery"/> can tell the WAL as it was (finish the reset)
/// from one written since (leave it alone). Three lines of ASCII, read strictly.
/// </summary>
internal sealed record CheckpointIntent(SnapshotId SnapshotId, string WalPath, long WalLength)
{
    public const string FileName = ".checkpoint-intent";

    private const string Header = "aerosnap checkpoint intent 1";

    public static string PathIn(string dataDirectory) => Path.Join(dataDirectory, FileName);

    public void Write(string dataDirectory)
        => DurableFile.Replace(PathIn(dataDirectory), Encoding.UTF8.GetBytes(
            $"{Header}\nsnapshot_id={SnapshotId}\nwal_length={WalLength.ToString(CultureInfo.InvariantCulture)}\nwal={WalPath}\n"));

    /// <summary>The intent in <paramref name="dataDirectory"/>; null when there is none, or when it is not whole (it was never fsynced, so nothing after it happened).</summary>
    public static CheckpointIntent? TryRead(string dataDirectory)
    {
        byte[]? bytes = DurableFile.TryReadSmall(PathIn(dataDirectory), 8192);
        if (bytes is null)
        {
            return null;
        }

        string[] lines = Encoding.UTF8.GetString(bytes).Split('\n');
        if (lines.Length != 5 || lines[0] != Header || lines[4].Length != 0
            || !lines[1].StartsWith("snapshot_id=", StringComparison.Ordinal)
            || !SnapshotId.TryParse(lines[1]["snapshot_id=".Length..], out SnapshotId id)
            || !lines[2].StartsWith("wal_length=", StringComparison.Ordinal)
            || !long.TryParse(lines[2]["wal_length=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long length)
            || !lines[3].StartsWith("wal=/", StringComparison.Ordinal))
        {
            return null;
        }

        return new CheckpointIntent(id, lines[3]["wal=".Length..], length);
    }
}

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// The names a restore from a backup uses beside the data directory <c>D</c>, in its parent so that
/// the swap is a rename on one file system: <c>D.restore-backup-tmp/</c>, in which the new data
/// directory is built as <c>data/</c> and the <c>READY</c> file is written once <c>data/</c> is
/// complete, validated and durable. After the swap, <c>data/</c> is the old data directory.
/// </summary>
internal sealed record BackupRestorePaths(string DataDirectory)
{
    public const string TemporarySuffix = ".restore-backup-tmp";

    public string Parent => Path.GetDirectoryName(DataDirectory)!;

    public string Temporary => DataDirectory + TemporarySuffix;

    public string Swapped => Path.Join(Temporary, "data");

    public string Ready => Path.Join(Temporary, "READY");

    public static BackupRestorePaths For(string dataDirectory)
        => new(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory)));
}

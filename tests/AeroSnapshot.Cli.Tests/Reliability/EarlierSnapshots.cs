namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>The state every fault trial starts from: a data directory with earlier snapshots that must survive it.</summary>
public static class EarlierSnapshots
{
    /// <summary>Oldest first; from 2020, so no create of a test run can ever take one of these ids.</summary>
    public static readonly string[] Ids = ["20200101T000000Z", "20200101T000001Z"];

    /// <summary>
    /// Takes one real snapshot with the tool, clones it under <see cref="Ids"/>, removes the original,
    /// and returns the checker with those two as the snapshots every later fault must leave intact.
    /// </summary>
    public static SnapshotInvariants In(DataDirectory directory) => In(SnapshotSources.Of(directory));

    /// <summary>As <see cref="In(DataDirectory)"/>, for sources given to <c>create</c> with <paramref name="createArguments"/> (--storage…).</summary>
    public static SnapshotInvariants In(SnapshotSources sources, params string[] createArguments)
    {
        CliResult created = CliProcess.Run(["create", sources.DataDirectory, "--json", .. createArguments]);
        Assert.True(created.ExitCode == 0, created.ToString());
        string first = CliJson.Created(created).Id!;
        foreach (string id in Ids)
        {
            Clone(sources.SnapshotsDirectory, first, id);
        }

        Directory.Delete(Path.Join(sources.SnapshotsDirectory, first), recursive: true);
        var invariants = new SnapshotInvariants(sources);
        Assert.Equal(Ids, invariants.Baseline);
        return invariants;
    }

    /// <summary>
    /// Copies a snapshot under another id, rewriting the manifest's id and created_at (the manifest
    /// carries no checksum of itself, so the copy is a valid snapshot). As DataDirectory.CloneSnapshot,
    /// for a snapshots/ directory anywhere.
    /// </summary>
    public static void Clone(string snapshotsDirectory, string sourceId, string newId)
    {
        string source = Path.Join(snapshotsDirectory, sourceId);
        string target = Path.Join(snapshotsDirectory, newId);
        foreach (string directory in Directory.GetDirectories(source, "*", SearchOption.AllDirectories).Prepend(source))
        {
            Directory.CreateDirectory(target + directory[source.Length..]);
        }

        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, target + file[source.Length..]);
        }

        string manifestPath = Path.Join(target, "manifest.json");
        string manifest = File.ReadAllText(manifestPath)
            .Replace($"\"{sourceId}\"", $"\"{newId}\"", StringComparison.Ordinal)
            .Replace($"\"{CreatedAt(sourceId)}\"", $"\"{CreatedAt(newId)}\"", StringComparison.Ordinal);
        File.SetUnixFileMode(manifestPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(manifestPath, manifest);
        File.SetUnixFileMode(manifestPath, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    private static string CreatedAt(string id) => $"{id[..4]}-{id[4..6]}-{id[6..8]}T{id[9..11]}:{id[11..13]}:{id[13..15]}Z";
}

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
    public static SnapshotInvariants In(DataDirectory directory, SnapshotSources? sources = null, params string[] createArguments)
    {
        CliResult created = CliProcess.Run(["create", directory.Data, "--json", .. createArguments]);
        Assert.True(created.ExitCode == 0, created.ToString());
        string first = CliJson.Created(created).Id!;
        foreach (string id in Ids)
        {
            directory.CloneSnapshot(first, id);
        }

        Directory.Delete(directory.SnapshotPath(first), recursive: true);
        var invariants = new SnapshotInvariants(sources ?? SnapshotSources.Of(directory));
        Assert.Equal(Ids, invariants.Baseline);
        return invariants;
    }
}

using System.Text.Json;

namespace AeroSnapshot.Cli.Tests;

/// <summary>
/// prune by age and calendar: --keep-within, --keep-daily, --keep-weekly, --keep-monthly, combinable
/// with --keep; a snapshot is kept when any rule keeps it, one that does not verify is never deleted
/// and counts for no rule.
/// </summary>
public sealed class PruneRetentionCommandTests : IDisposable
{
    private readonly DataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(static e => e.GetString()!)];

    /// <summary>Snapshots with the given ids only (copies of one real snapshot, which is then removed).</summary>
    private void SnapshotsAt(params string[] ids)
    {
        string real = _dir.CreateSnapshot();
        foreach (string id in ids)
        {
            _dir.CloneSnapshot(real, id);
        }

        Directory.Delete(_dir.SnapshotPath(real), recursive: true);
    }

    [Fact]
    public void Daily_and_monthly_keep_the_newest_of_each_period_and_an_invalid_snapshot_counts_for_none()
    {
        SnapshotsAt("20200301T120000Z", "20200301T060000Z", "20200229T120000Z", "20200215T000000Z", "20200131T000000Z", "20191231T000000Z");
        _dir.CorruptByte("20200229T120000Z");

        CliResult result = CliProcess.Run("prune", _dir.Data, "--keep-daily", "2", "--keep-monthly", "3", "--json");

        // Daily: 1 March (12:00), then 15 February (29 February does not verify); monthly: March,
        // February (15th), January. The corrupt one is left, and makes the exit code 1.
        Assert.True(result.ExitCode == 1, result.ToString());
        using JsonDocument json = result.Json();
        JsonElement root = json.RootElement;
        Assert.Equal(["20200301T120000Z", "20200215T000000Z", "20200131T000000Z"], Strings(root.GetProperty("kept")));
        Assert.Equal(["20191231T000000Z", "20200301T060000Z"], Strings(root.GetProperty("deleted")));
        Assert.Equal("20200229T120000Z", Assert.Single(root.GetProperty("invalid").EnumerateArray()).GetProperty("snapshot_id").GetString());
        JsonElement newest = root.GetProperty("decisions")[0];
        Assert.Equal(["newest", "daily", "monthly"], Strings(newest.GetProperty("kept_by")));
        Assert.Equal(["20200131T000000Z", "20200215T000000Z", "20200229T120000Z", "20200301T120000Z"], _dir.SnapshotIds());
    }

    [Fact]
    public void Keep_within_and_keep_combine_and_the_newest_is_always_kept()
    {
        SnapshotsAt("20200110T120000Z", "20200109T000000Z", "20200105T000000Z", "20200101T000000Z");

        CliResult result = CliProcess.Run("prune", _dir.Data, "--keep-within", "2d", "--keep", "3", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = result.Json();
        Assert.Equal(["20200110T120000Z", "20200109T000000Z", "20200105T000000Z"], Strings(json.RootElement.GetProperty("kept")));
        Assert.Equal("2d", json.RootElement.GetProperty("policy").GetProperty("keep_within").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("policy").GetProperty("keep_last").GetInt32());
        Assert.Equal(["20200105T000000Z", "20200109T000000Z", "20200110T120000Z"], _dir.SnapshotIds());
    }

    [Fact]
    public void Weekly_keeps_the_newest_snapshot_of_each_ISO_week()
    {
        // Monday 6 January 2020 opens ISO week 2; Sunday the 5th closes week 1.
        SnapshotsAt("20200106T000000Z", "20200105T230000Z", "20200101T000000Z", "20191229T000000Z");

        CliResult result = CliProcess.Run("prune", _dir.Data, "--keep-weekly", "2", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = result.Json();
        Assert.Equal(["20200106T000000Z", "20200105T230000Z"], Strings(json.RootElement.GetProperty("kept")));
    }

    [Theory]
    [InlineData("--keep-daily", "0")]
    [InlineData("--keep-weekly", "x")]
    [InlineData("--keep-monthly", "-1")]
    [InlineData("--keep-within", "0")]
    public void A_rule_that_would_keep_nothing_is_a_usage_error(string option, string value)
    {
        CliResult result = CliProcess.Run("prune", _dir.Data, option, value);

        Assert.True(result.ExitCode == 2, result.ToString());
    }
}

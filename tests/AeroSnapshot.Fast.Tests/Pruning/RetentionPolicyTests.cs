using AeroSnapshot.Fast.Pruning;

namespace AeroSnapshot.Fast.Tests.Pruning;

/// <summary>
/// The retention policy's decisions, restic's semantics: a snapshot is kept when any rule keeps it;
/// daily, weekly and monthly keep the newest snapshot of each of the last N periods that have one
/// (UTC, ISO weeks); within is relative to the newest snapshot; the newest is always kept.
/// </summary>
public sealed class RetentionPolicyTests
{
    private static SnapshotId Id(string text) => SnapshotId.Parse(text);

    private static string[] Kept(RetentionPolicy policy, params string[] ids)
        => [.. policy.Apply(ids.Select(Id)).Where(static d => d.Keep).Select(static d => d.Id.ToString())];

    [Fact]
    public void Keep_last_keeps_the_newest_N()
    {
        Assert.Equal(
            ["20260105T000000Z", "20260104T000000Z"],
            Kept(RetentionPolicy.Last(2), "20260101T000000Z", "20260105T000000Z", "20260104T000000Z", "20260102T000000Z"));
    }

    [Fact]
    public void Keep_daily_keeps_the_newest_snapshot_of_each_of_the_last_N_days_that_have_one()
    {
        // Three snapshots on the 5th, none on the 4th, two on the 3rd, one on the 1st.
        string[] kept = Kept(
            new RetentionPolicy { KeepDaily = 3 },
            "20260105T230000Z", "20260105T120000Z", "20260105T000001Z", "20260103T180000Z", "20260103T060000Z", "20260101T120000Z");

        // The day without a snapshot (the 4th) does not use up one of the three.
        Assert.Equal(["20260105T230000Z", "20260103T180000Z", "20260101T120000Z"], kept);
    }

    [Fact]
    public void Days_are_UTC_days()
    {
        // 23:59:59 and 00:00:00 one second later are two days.
        Assert.Equal(
            ["20260102T000000Z", "20260101T235959Z"],
            Kept(new RetentionPolicy { KeepDaily = 2 }, "20260101T235959Z", "20260102T000000Z", "20260101T000000Z"));
    }

    [Fact]
    public void Keep_weekly_uses_ISO_weeks_that_start_on_Monday()
    {
        // 2026-01-04 is a Sunday (ISO week 1 of 2026), 2026-01-05 the Monday of week 2;
        // 2025-12-29 (Monday) is in ISO week 1 of 2026 too, 2025-12-28 (Sunday) in week 52 of 2025.
        string[] kept = Kept(
            new RetentionPolicy { KeepWeekly = 3 },
            "20260105T100000Z", "20260104T100000Z", "20251229T100000Z", "20251228T100000Z", "20251221T100000Z");

        Assert.Equal(["20260105T100000Z", "20260104T100000Z", "20251228T100000Z"], kept);
    }

    [Fact]
    public void Keep_monthly_keeps_the_newest_of_each_month()
    {
        string[] kept = Kept(
            new RetentionPolicy { KeepMonthly = 2 },
            "20260301T000000Z", "20260228T235959Z", "20260201T000000Z", "20260115T000000Z", "20251231T000000Z");

        Assert.Equal(["20260301T000000Z", "20260228T235959Z"], kept);
    }

    [Fact]
    public void Keep_within_is_relative_to_the_newest_snapshot_not_to_the_clock()
    {
        string[] kept = Kept(
            new RetentionPolicy { KeepWithin = TimeSpan.FromDays(2) },
            "20200110T120000Z", "20200109T120000Z", "20200108T120001Z", "20200108T120000Z", "20200101T000000Z");

        // Strictly within two days of the newest: exactly two days before is out.
        Assert.Equal(["20200110T120000Z", "20200109T120000Z", "20200108T120001Z"], kept);
    }

    [Fact]
    public void A_snapshot_is_kept_when_any_rule_keeps_it_and_says_which()
    {
        IReadOnlyList<RetentionDecision> decisions = new RetentionPolicy { KeepLast = 1, KeepMonthly = 2 }
            .Apply([Id("20260210T000000Z"), Id("20260201T000000Z"), Id("20260131T000000Z"), Id("20260101T000000Z")]);

        Assert.Equal(
            [
                new RetentionDecision(Id("20260210T000000Z"), RetentionRules.Newest | RetentionRules.Last | RetentionRules.Monthly),
                new RetentionDecision(Id("20260201T000000Z"), RetentionRules.None),
                new RetentionDecision(Id("20260131T000000Z"), RetentionRules.Monthly),
                new RetentionDecision(Id("20260101T000000Z"), RetentionRules.None),
            ],
            decisions);
    }

    [Fact]
    public void The_newest_snapshot_is_kept_even_by_an_empty_policy()
    {
        var empty = new RetentionPolicy();

        Assert.True(empty.IsEmpty);
        Assert.Equal(["20260102T000000Z"], Kept(empty, "20260101T000000Z", "20260102T000000Z"));
        Assert.Empty(empty.Apply([]));
    }

    [Fact]
    public void Negative_rules_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetentionPolicy { KeepDaily = -1 }.Apply([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetentionPolicy { KeepWithin = TimeSpan.FromHours(-1) }.Apply([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetentionPolicy.Last(0));
    }
}

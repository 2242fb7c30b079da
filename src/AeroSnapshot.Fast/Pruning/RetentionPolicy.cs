using System.Globalization;

namespace AeroSnapshot.Fast.Pruning;

/// <summary>
/// Which valid snapshots prune keeps, with restic's semantics: a snapshot is kept when any rule
/// keeps it, and the newest valid snapshot is always kept. Every calendar rule works in UTC on the
/// instant the snapshot id names (<see cref="SnapshotId.UtcDateTime"/>).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="KeepLast"/> keeps the newest N. <see cref="KeepWithin"/> keeps every snapshot taken
/// within that span before the newest valid one (relative to the newest snapshot, not to the clock,
/// as restic does: a database that stopped taking snapshots does not see its history pruned away by
/// the passing of time). <see cref="KeepDaily"/>, <see cref="KeepWeekly"/> and
/// <see cref="KeepMonthly"/> keep the newest snapshot of each of the last N days, ISO 8601 weeks and
/// months that have one: a day without a snapshot does not use up one of the N.
/// </para>
/// <para>
/// Snapshots that do not verify take no part: they are never deleted by prune, and they neither fill
/// a rule's count nor stand for their day, week or month. The policy is a value (a record): copy it
/// with <c>with</c> to change one rule. Thread-safe: it holds no state.
/// </para>
/// </remarks>
public sealed record RetentionPolicy
{
    /// <summary>Keep the newest N valid snapshots (0: this rule keeps none).</summary>
    public int KeepLast { get; init; }

    /// <summary>Keep every valid snapshot taken within this span before the newest valid one (null or zero: none).</summary>
    public TimeSpan? KeepWithin { get; init; }

    /// <summary>Keep the newest valid snapshot of each of the last N UTC days that have one.</summary>
    public int KeepDaily { get; init; }

    /// <summary>Keep the newest valid snapshot of each of the last N ISO 8601 weeks (Monday to Sunday, UTC) that have one.</summary>
    public int KeepWeekly { get; init; }

    /// <summary>Keep the newest valid snapshot of each of the last N UTC calendar months that have one.</summary>
    public int KeepMonthly { get; init; }

    /// <summary>Keep the newest <paramref name="count"/> valid snapshots: what <c>Prune(dataDirectory, keep)</c> does.</summary>
    /// <param name="count">At least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public static RetentionPolicy Last(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new RetentionPolicy { KeepLast = count };
    }

    /// <summary>True when no rule is set; such a policy still keeps the newest valid snapshot, and only that.</summary>
    public bool IsEmpty => KeepLast == 0 && (KeepWithin ?? TimeSpan.Zero) <= TimeSpan.Zero && KeepDaily == 0 && KeepWeekly == 0 && KeepMonthly == 0;

    /// <summary>Throws when a count is negative or <see cref="KeepWithin"/> is negative.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rule is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(KeepLast);
        ArgumentOutOfRangeException.ThrowIfNegative(KeepDaily);
        ArgumentOutOfRangeException.ThrowIfNegative(KeepWeekly);
        ArgumentOutOfRangeException.ThrowIfNegative(KeepMonthly);
        if (KeepWithin is { } within && within < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepWithin), within, "KeepWithin must not be negative.");
        }
    }

    /// <summary>
    /// Decides, for each valid snapshot, which rules keep it. Pure: it reads nothing and deletes nothing.
    /// </summary>
    /// <param name="valid">The valid snapshots, in any order (duplicates are taken once).</param>
    /// <returns>One decision per snapshot, newest first; a snapshot no rule keeps has <see cref="RetentionRules.None"/>.</returns>
    public IReadOnlyList<RetentionDecision> Apply(IEnumerable<SnapshotId> valid)
    {
        ArgumentNullException.ThrowIfNull(valid);
        Validate();
        SnapshotId[] newestFirst = [.. valid.Distinct().OrderDescending()];
        var kept = new RetentionRules[newestFirst.Length];
        if (newestFirst.Length == 0)
        {
            return [];
        }

        kept[0] |= RetentionRules.Newest;
        for (int i = 0; i < Math.Min(KeepLast, newestFirst.Length); i++)
        {
            kept[i] |= RetentionRules.Last;
        }

        if (KeepWithin is { } within && within > TimeSpan.Zero)
        {
            DateTime since = newestFirst[0].UtcDateTime - within;
            for (int i = 0; i < newestFirst.Length && newestFirst[i].UtcDateTime > since; i++)
            {
                kept[i] |= RetentionRules.Within;
            }
        }

        KeepNewestOfEachPeriod(newestFirst, kept, KeepDaily, RetentionRules.Daily, static t => (t.Year * 10_000) + (t.Month * 100) + t.Day);
        KeepNewestOfEachPeriod(newestFirst, kept, KeepWeekly, RetentionRules.Weekly, static t => (ISOWeek.GetYear(t) * 100) + ISOWeek.GetWeekOfYear(t));
        KeepNewestOfEachPeriod(newestFirst, kept, KeepMonthly, RetentionRules.Monthly, static t => (t.Year * 100) + t.Month);

        var decisions = new RetentionDecision[newestFirst.Length];
        for (int i = 0; i < newestFirst.Length; i++)
        {
            decisions[i] = new RetentionDecision(newestFirst[i], kept[i]);
        }

        return decisions;
    }

    /// <summary>Walking newest first, the first snapshot of each new period is kept, until <paramref name="count"/> periods are.</summary>
    private static void KeepNewestOfEachPeriod(SnapshotId[] newestFirst, RetentionRules[] kept, int count, RetentionRules rule, Func<DateTime, int> period)
    {
        int? last = null;
        for (int i = 0; i < newestFirst.Length && count > 0; i++)
        {
            int current = period(newestFirst[i].UtcDateTime);
            if (current != last)
            {
                kept[i] |= rule;
                last = current;
                count--;
            }
        }
    }

    /// <summary>The rules in restic's words, for logs: <c>last 3, daily 7, within 2.00:00:00</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (KeepLast > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"last {KeepLast}"));
        }

        if (KeepWithin is { } within && within > TimeSpan.Zero)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"within {within}"));
        }

        if (KeepDaily > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"daily {KeepDaily}"));
        }

        if (KeepWeekly > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"weekly {KeepWeekly}"));
        }

        if (KeepMonthly > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"monthly {KeepMonthly}"));
        }

        return parts.Count == 0 ? "newest only" : string.Join(", ", parts);
    }
}

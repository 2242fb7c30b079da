namespace AeroSnapshot.Fast.Pruning;

/// <summary>The rules that keep a snapshot (<see cref="RetentionPolicy"/>); several can keep the same one.</summary>
[Flags]
public enum RetentionRules
{
    /// <summary>No rule keeps it: prune deletes it.</summary>
    None = 0,

    /// <summary>The newest valid snapshot, which is always kept.</summary>
    Newest = 1,

    /// <summary><see cref="RetentionPolicy.KeepLast"/>.</summary>
    Last = 2,

    /// <summary><see cref="RetentionPolicy.KeepWithin"/>.</summary>
    Within = 4,

    /// <summary><see cref="RetentionPolicy.KeepDaily"/>.</summary>
    Daily = 8,

    /// <summary><see cref="RetentionPolicy.KeepWeekly"/>.</summary>
    Weekly = 16,

    /// <summary><see cref="RetentionPolicy.KeepMonthly"/>.</summary>
    Monthly = 32,
}

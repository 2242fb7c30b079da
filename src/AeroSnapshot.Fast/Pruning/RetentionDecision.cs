namespace AeroSnapshot.Fast.Pruning;

/// <summary>What a <see cref="RetentionPolicy"/> decided for one valid snapshot.</summary>
/// <param name="Id">The snapshot.</param>
/// <param name="KeptBy">The rules that keep it; <see cref="RetentionRules.None"/> when it is to be deleted.</param>
public readonly record struct RetentionDecision(SnapshotId Id, RetentionRules KeptBy)
{
    /// <summary>True when some rule keeps the snapshot.</summary>
    public bool Keep => KeptBy != RetentionRules.None;
}

namespace AeroSnapshot.Fast;

/// <summary>How long one step of an operation took.</summary>
/// <param name="Step">The step (in the order the specification gives them).</param>
/// <param name="Duration">Its wall-clock time.</param>
public readonly record struct StepTiming(SnapshotStep Step, TimeSpan Duration);

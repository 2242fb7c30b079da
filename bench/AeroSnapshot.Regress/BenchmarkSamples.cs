namespace AeroSnapshot.Regress;

/// <summary>The measurements of one benchmark case from one build, one value per launch.</summary>
/// <param name="Name">The case's full name (type, method and parameters), the same in both builds.</param>
/// <param name="NanosecondsPerOperation">
/// One value per launch (process): the median of its measured iterations. The launch, not the
/// iteration, is the independent unit: on a shared machine a neighbour's build slows every
/// iteration of the launch it overlaps, so iterations of one launch are not independent samples,
/// and a rank test over pooled iterations reports such a launch as a significant change.
/// </param>
/// <param name="AllocatedBytesPerOperation">The largest allocation per operation seen in any launch; null when not measured.</param>
/// <param name="Iterations">How many measured iterations the launch medians summarise.</param>
public sealed record BenchmarkSamples(string Name, IReadOnlyList<double> NanosecondsPerOperation, long? AllocatedBytesPerOperation, int Iterations);

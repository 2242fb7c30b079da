namespace AeroSnapshot.Regress;

/// <summary>The measurements of one benchmark case from one build, pooled over every launch of it.</summary>
/// <param name="Name">The case's full name (type, method and parameters), the same in both builds.</param>
/// <param name="NanosecondsPerOperation">One value per measured iteration (BenchmarkDotNet's Workload/Actual stage).</param>
/// <param name="AllocatedBytesPerOperation">The largest allocation per operation seen in any launch; null when not measured.</param>
/// <param name="Launches">How many launches (processes) the iterations come from.</param>
public sealed record BenchmarkSamples(string Name, IReadOnlyList<double> NanosecondsPerOperation, long? AllocatedBytesPerOperation, int Launches);

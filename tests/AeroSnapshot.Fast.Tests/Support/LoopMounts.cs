namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// The tests that mount loop devices. They run alone, one at a time: they share eight loop
/// devices, a power cut must not race another test's mount or unmount, and a benchmark may be
/// running on the same two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoopMounts
{
    public const string Name = "Loop mounts";
}

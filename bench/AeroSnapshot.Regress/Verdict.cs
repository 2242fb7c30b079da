namespace AeroSnapshot.Regress;

/// <summary>What the comparison of one benchmark says about the head build against the base build.</summary>
public enum Verdict
{
    /// <summary>The head is faster than the base by more than the threshold, and the test says so at the chosen level.</summary>
    Faster,

    /// <summary>No difference beyond the threshold that the test can tell from noise.</summary>
    Same,

    /// <summary>The head is slower than the base by more than the threshold, and the test says so at the chosen level.</summary>
    Slower,

    /// <summary>Too few measurements on one side (or the benchmark exists on one side only) to say anything.</summary>
    Inconclusive,
}

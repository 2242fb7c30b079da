namespace AeroSnapshot.Generators;

/// <summary>Names of pipeline steps, so tests can check that they are cached between runs.</summary>
public static class TrackingNames
{
    /// <summary>The step that turns each annotated type into a model.</summary>
    public const string Documents = nameof(Documents);
}

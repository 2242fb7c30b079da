namespace AeroSnapshot.TestSupport.Requirements;

/// <summary>
/// Thrown by a fixture when this machine lacks what it needs (a program, root, a CPU feature). A test
/// run by <see cref="RequirementAwareFactAttribute"/> or <see cref="RequirementAwareTheoryAttribute"/>
/// (every test in the suites: the test projects alias <c>[Fact]</c> and <c>[Theory]</c> to them) is
/// then reported as skipped with this message instead of failed.
/// </summary>
public sealed class MissingRequirementException : Exception
{
    public MissingRequirementException()
    {
    }

    public MissingRequirementException(string message)
        : base(message)
    {
    }

    public MissingRequirementException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

using Xunit.Sdk;

namespace AeroSnapshot.TestSupport.Requirements;

/// <summary>
/// xunit's <c>[Fact]</c>, except that a <see cref="MissingRequirementException"/> thrown by the test (or
/// by a fixture it reaches) reports it skipped with the reason. The test projects alias <c>[Fact]</c>
/// to this type, so no test can forget it; <c>RequirementAwareTestsTests</c> checks every test.
/// </summary>
[XunitTestCaseDiscoverer("AeroSnapshot.TestSupport.Requirements." + nameof(RequirementAwareFactDiscoverer), "AeroSnapshot.TestSupport")]
[AttributeUsage(AttributeTargets.Method)]
public class RequirementAwareFactAttribute : Xunit.FactAttribute
{
}

using Xunit.Sdk;

namespace AeroSnapshot.TestSupport.Requirements;

/// <summary>The theory form of <see cref="RequirementAwareFactAttribute"/>; the test projects alias <c>[Theory]</c> to it.</summary>
[XunitTestCaseDiscoverer("AeroSnapshot.TestSupport.Requirements." + nameof(RequirementAwareTheoryDiscoverer), "AeroSnapshot.TestSupport")]
[AttributeUsage(AttributeTargets.Method)]
public class RequirementAwareTheoryAttribute : Xunit.TheoryAttribute
{
}

using AeroSnapshot.TestSupport.Requirements;

namespace AeroSnapshot.TestSupport;

/// <summary>
/// A test that needs no root but runs a program a fresh machine may lack (<c>strace</c>, <c>python3</c>,
/// util-linux <c>flock</c>): skipped naming it when it is missing, unless AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NeedsProgramsFactAttribute : RequirementAwareFactAttribute
{
    public NeedsProgramsFactAttribute(params string[] programs)
    {
        Skip = TestRequirements.MissingProgramsReason(programs);
    }
}

/// <summary>The theory form of <see cref="NeedsProgramsFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NeedsProgramsTheoryAttribute : RequirementAwareTheoryAttribute
{
    public NeedsProgramsTheoryAttribute(params string[] programs)
    {
        Skip = TestRequirements.MissingProgramsReason(programs);
    }
}

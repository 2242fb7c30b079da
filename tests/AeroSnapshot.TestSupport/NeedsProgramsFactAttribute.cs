namespace AeroSnapshot.TestSupport;

/// <summary>
/// A test that needs no root but runs a program a fresh machine may lack (util-linux <c>flock</c>):
/// skipped naming it when it is missing, unless AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NeedsProgramsFactAttribute : FactAttribute
{
    public NeedsProgramsFactAttribute(params string[] programs)
    {
        Skip = Privileges.MissingProgramsReason(programs);
    }
}

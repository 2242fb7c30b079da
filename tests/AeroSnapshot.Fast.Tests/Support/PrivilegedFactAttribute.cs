namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// A test that needs root (mounts, device nodes, fault injection with strace). Skipped with the
/// reason when not root, unless AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1 (set by .ci/run), where it
/// runs and fails: CI must never pass by skipping what it was meant to prove.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivilegedFactAttribute : FactAttribute
{
    public PrivilegedFactAttribute()
    {
        if (!Privileges.IsRoot && !Privileges.Required)
        {
            Skip = "needs root (mounts, mknod, strace injection); set AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1 to make this a failure instead";
        }
    }
}

public static class Privileges
{
    public static bool IsRoot => Environment.UserName == "root" || geteuid() == 0;

    public static bool Required => Environment.GetEnvironmentVariable("AEROSNAP_REQUIRE_PRIVILEGED_TESTS") == "1";

    [System.Runtime.InteropServices.DllImport("libc.so.6")]
    private static extern uint geteuid();
}

/// <summary>The theory form of <see cref="PrivilegedFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivilegedTheoryAttribute : TheoryAttribute
{
    public PrivilegedTheoryAttribute()
    {
        if (!Privileges.IsRoot && !Privileges.Required)
        {
            Skip = "needs root (loop mounts, power-cut ioctl); set AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1 to make this a failure instead";
        }
    }
}

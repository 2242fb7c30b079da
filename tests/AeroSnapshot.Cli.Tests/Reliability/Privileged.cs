using System.Runtime.InteropServices;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// A test that needs root (mounts, loop devices, strace injection). Skipped with the reason when
/// not root, unless AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1 (set by .ci/run), where it runs and fails:
/// CI must never pass by skipping what it was meant to prove. (Adapted from the library tests'
/// Support/PrivilegedFactAttribute.cs.)
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivilegedFactAttribute : FactAttribute
{
    public PrivilegedFactAttribute()
    {
        if (Privileges.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>The theory form of <see cref="PrivilegedFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivilegedTheoryAttribute : TheoryAttribute
{
    public PrivilegedTheoryAttribute()
    {
        if (Privileges.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

public static partial class Privileges
{
    public static bool IsRoot => geteuid() == 0;

    public static bool Required => Environment.GetEnvironmentVariable("AEROSNAP_REQUIRE_PRIVILEGED_TESTS") == "1";

    /// <summary>Why a privileged test is skipped here, or null when it runs.</summary>
    public static string? SkipReason => IsRoot || Required
        ? null
        : "needs root (tmpfs and loop mounts, strace fault injection); set AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1 to make this a failure instead";

    [LibraryImport("libc.so.6")]
    private static partial uint geteuid();
}

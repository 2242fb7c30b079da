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

    /// <summary>Programs the test runs (<c>mkfs.ext4</c>…): one missing from PATH skips it too, by name.</summary>
    public string[] Needs
    {
        get => [];
        set => Skip ??= Privileges.MissingProgramsReason(value);
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

    /// <inheritdoc cref="PrivilegedFactAttribute.Needs"/>
    public string[] Needs
    {
        get => [];
        set => Skip ??= Privileges.MissingProgramsReason(value);
    }
}

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

public static partial class Privileges
{
    public static bool IsRoot => geteuid() == 0;

    public static bool Required => Environment.GetEnvironmentVariable("AEROSNAP_REQUIRE_PRIVILEGED_TESTS") == "1";

    /// <summary>Why a privileged test is skipped here, or null when it runs.</summary>
    public static string? SkipReason => IsRoot || Required
        ? null
        : "needs root (tmpfs and loop mounts, strace fault injection); set AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1 to make this a failure instead";

    /// <summary>
    /// Why a test that runs <paramref name="programs"/> is skipped: the ones not on PATH, by name;
    /// null when all are there, or when AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1 (then it runs and fails).
    /// </summary>
    public static string? MissingProgramsReason(IEnumerable<string> programs)
    {
        string[] missing = [.. programs.Where(static p => !IsOnPath(p))];
        return missing.Length == 0 || Required
            ? null
            : $"needs {string.Join(", ", missing)} (not found on PATH; .ci/run installs it); set AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1 to make this a failure instead";
    }

    private static bool IsOnPath(string program)
        => (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Join(directory, program)));

    [LibraryImport("libc.so.6")]
    private static partial uint geteuid();
}

namespace AeroSnapshot.TestSupport;

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

    /// <summary>Programs the test runs (<c>mkfs.xfs</c>, <c>strace</c>…): one missing from PATH skips it too, by name.</summary>
    public string[] Needs
    {
        get => [];
        set => Skip ??= Privileges.MissingProgramsReason(value);
    }
}

public static class Privileges
{
    public static bool IsRoot => Environment.UserName == "root" || geteuid() == 0;

    public static bool Required => Environment.GetEnvironmentVariable("AEROSNAP_REQUIRE_PRIVILEGED_TESTS") == "1";

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

    /// <inheritdoc cref="PrivilegedFactAttribute.Needs"/>
    public string[] Needs
    {
        get => [];
        set => Skip ??= Privileges.MissingProgramsReason(value);
    }
}

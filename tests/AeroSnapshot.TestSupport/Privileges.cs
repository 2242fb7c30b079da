using System.Runtime.InteropServices;

namespace AeroSnapshot.TestSupport;

/// <summary>Whether the privileged tests can run here, and whether they must (AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1).</summary>
public static partial class Privileges
{
    public static bool IsRoot => Environment.UserName == "root" || geteuid() == 0;

    public static bool Required => Environment.GetEnvironmentVariable("AEROSNAP_REQUIRE_PRIVILEGED_TESTS") == "1";

    /// <summary>Why a privileged test is skipped here, or null when it runs (as root, or when required: then it fails instead).</summary>
    public static string? SkipReason => IsRoot || Required
        ? null
        : "needs root (loop and tmpfs mounts, mknod, strace fault injection, the power-cut ioctl); set AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1 to make this a failure instead";

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

using System.Runtime.InteropServices;

namespace AeroSnapshot.TestSupport.Requirements;

/// <summary>
/// What a test needs from the machine, checked where it is used: the fixtures that start a program,
/// mount a file system or call an ISA-specific kernel call these first, so a test that reaches them
/// skips by itself when the machine lacks the thing, whether or not it declared it.
/// </summary>
/// <remarks>
/// Programs and root are <em>required</em> in CI (<c>AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1</c>, set by
/// <c>.ci/run</c>, which installs them): there a missing one fails the test instead, because CI must
/// never pass by skipping what it was meant to prove. CPU features are never required: CI must pass on
/// any x86-64 CPU, so a kernel the CPU cannot run always skips; the fallbacks are what CI forces instead
/// (it reruns the hashing tests with the wider paths switched off).
/// </remarks>
public static partial class TestRequirements
{
    /// <summary>The environment variable that turns a missing program or privilege into a failure.</summary>
    public const string RequiredVariable = "AEROSNAP_REQUIRE_PRIVILEGED_TESTS";

    /// <summary>True when a missing program or privilege must fail the test (CI).</summary>
    public static bool Required => Environment.GetEnvironmentVariable(RequiredVariable) == "1";

    /// <summary>True when the test process runs as root.</summary>
    public static bool IsRoot => geteuid() == 0;

    /// <summary>Skips (or, in CI, fails) the test unless the process runs as root.</summary>
    public static void Root(string forWhat)
    {
        if (!IsRoot)
        {
            Missing($"needs root ({forWhat})");
        }
    }

    /// <summary>
    /// Skips (or, in CI, fails) the test unless <paramref name="program"/> can be started: a name is
    /// looked up on PATH as the process start will; a path must exist.
    /// </summary>
    public static void Program(string program)
    {
        if (!CanStart(program))
        {
            Missing($"needs {program} (not found on PATH; .ci/run installs it)");
        }
    }

    /// <summary>
    /// Skips the test unless <paramref name="available"/> (a CPU feature, or its absence, that the test
    /// needs), with <paramref name="reason"/>; never a failure, not even in CI.
    /// </summary>
    public static void CpuFeature(bool available, string reason)
    {
        if (!available)
        {
            throw new MissingRequirementException(reason);
        }
    }

    /// <summary>Why the programs would skip a test here, or null when all are there or they are required.</summary>
    public static string? MissingProgramsReason(IEnumerable<string> programs)
    {
        string[] missing = [.. programs.Where(static p => !CanStart(p))];
        return missing.Length == 0 || Required ? null : SkipMessage($"needs {string.Join(", ", missing)} (not found on PATH; .ci/run installs it)");
    }

    /// <summary>Why a root-only test would skip here, or null when it runs (as root, or when required: then it fails instead).</summary>
    public static string? RootReason(string forWhat) => IsRoot || Required ? null : SkipMessage($"needs root ({forWhat})");

    /// <summary>True when <paramref name="program"/> is a path that exists or a name found on PATH.</summary>
    public static bool CanStart(string program) => program.Contains('/', StringComparison.Ordinal)
        ? File.Exists(program)
        : (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Join(directory, program)));

    /// <summary>
    /// What a fixture throws when the machine lacks <paramref name="what"/>: the skip, or, when
    /// <paramref name="required"/> (CI), an ordinary failure that says why it is not a skip.
    /// </summary>
    public static Exception MissingException(string what, bool required) => required
        ? new InvalidOperationException($"{what}, and {RequiredVariable}=1 makes that a failure here")
        : new MissingRequirementException(SkipMessage(what));

    private static void Missing(string what) => throw MissingException(what, Required);

    private static string SkipMessage(string what) => $"{what}; set {RequiredVariable}=1 to make this a failure instead";

    [LibraryImport("libc.so.6")]
    private static partial uint geteuid();
}

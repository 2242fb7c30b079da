using AeroSnapshot.TestSupport.Requirements;

namespace AeroSnapshot.TestSupport;

/// <summary>
/// A test that needs root (loop and tmpfs mounts, device nodes, strace fault injection, the
/// power-cut ioctl). Skipped with the reason when not root, unless AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1
/// (set by .ci/run), where it runs and fails: CI must never pass by skipping what it was meant to prove.
/// </summary>
/// <remarks>
/// Declaring up front skips before the test starts; the fixtures check again where they start a
/// program or mount (<see cref="TestRequirements"/>), so a test that forgot a program still skips.
/// </remarks>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivilegedFactAttribute : RequirementAwareFactAttribute
{
    public PrivilegedFactAttribute()
    {
        Skip = TestRequirements.RootReason("loop and tmpfs mounts, mknod, strace fault injection, the power-cut ioctl");
    }

    /// <summary>Programs the test runs (<c>mkfs.xfs</c>, <c>strace</c>…): one missing from PATH skips it too, by name.</summary>
    public string[] Needs
    {
        get => [];
        set => Skip ??= TestRequirements.MissingProgramsReason(value);
    }
}

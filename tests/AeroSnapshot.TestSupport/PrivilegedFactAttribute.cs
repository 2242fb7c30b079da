namespace AeroSnapshot.TestSupport;

/// <summary>
/// A test that needs root (loop and tmpfs mounts, device nodes, strace fault injection, the
/// power-cut ioctl). Skipped with the reason when not root, unless AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1
/// (set by .ci/run), where it runs and fails: CI must never pass by skipping what it was meant to prove.
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

    /// <summary>Programs the test runs (<c>mkfs.xfs</c>, <c>strace</c>…): one missing from PATH skips it too, by name.</summary>
    public string[] Needs
    {
        get => [];
        set => Skip ??= Privileges.MissingProgramsReason(value);
    }
}

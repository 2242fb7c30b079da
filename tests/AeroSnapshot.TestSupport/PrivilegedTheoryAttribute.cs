using AeroSnapshot.TestSupport.Requirements;

namespace AeroSnapshot.TestSupport;

/// <summary>The theory form of <see cref="PrivilegedFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivilegedTheoryAttribute : RequirementAwareTheoryAttribute
{
    public PrivilegedTheoryAttribute()
    {
        Skip = TestRequirements.RootReason("loop and tmpfs mounts, mknod, strace fault injection, the power-cut ioctl");
    }

    /// <inheritdoc cref="PrivilegedFactAttribute.Needs"/>
    public string[] Needs
    {
        get => [];
        set => Skip ??= TestRequirements.MissingProgramsReason(value);
    }
}

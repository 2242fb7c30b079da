namespace AeroSnapshot.TestSupport;

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

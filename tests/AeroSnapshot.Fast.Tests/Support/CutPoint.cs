using System.Globalization;

namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// Where a power-cut case cuts: before the <see cref="Occurrence"/>-th time an operation fires
/// <see cref="Step"/> (prune fires its four steps once per snapshot it deletes), or after the
/// operation returned. Written as <c>PruneDelete#2</c> or <c>AfterReturn</c> so test names say it.
/// </summary>
public readonly record struct CutPoint(SnapshotStep? Step, int Occurrence)
{
    public const string AfterReturnName = "AfterReturn";

    public bool IsAfterReturn => Step is null;

    public static CutPoint Parse(string text)
    {
        if (text == AfterReturnName)
        {
            return new CutPoint(null, 0);
        }

        string[] parts = text.Split('#');
        return new CutPoint(Enum.Parse<SnapshotStep>(parts[0]), parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 1);
    }

    /// <summary>Every occurrence of every step in <paramref name="fired"/> (a fault-free run's sequence) as cut points, in order, then <c>AfterReturn</c>.</summary>
    public static List<string> AllOf(IEnumerable<SnapshotStep> fired)
    {
        var seen = new Dictionary<SnapshotStep, int>();
        var points = new List<string>();
        foreach (SnapshotStep step in fired)
        {
            int occurrence = seen[step] = seen.GetValueOrDefault(step) + 1;
            points.Add(string.Create(CultureInfo.InvariantCulture, $"{step}#{occurrence}"));
        }

        points.Add(AfterReturnName);
        return points;
    }

    public override string ToString() => IsAfterReturn ? AfterReturnName : string.Create(CultureInfo.InvariantCulture, $"{Step}#{Occurrence}");
}

/// <summary>
/// A <see cref="SnapshotOptions.BeforeStep"/> hook that cuts the power of a loop-mounted ext4 at
/// one <see cref="CutPoint"/> and then throws, so the operation stops where the machine would have.
/// </summary>
public sealed class PowerCutHook(string mountPoint, CutPoint point)
{
    private readonly Dictionary<SnapshotStep, int> _seen = [];

    /// <summary>True once the power was cut (a case whose step never fired tested nothing).</summary>
    public bool Cut { get; private set; }

    public void BeforeStep(SnapshotStep step)
    {
        int occurrence = _seen[step] = _seen.GetValueOrDefault(step) + 1;
        if (!Cut && step == point.Step && occurrence == point.Occurrence)
        {
            PowerCut.Cut(mountPoint);
            Cut = true;
            throw new PowerCutException($"power cut before {point}");
        }
    }
}

using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Layout;

namespace AeroSnapshot.Fast.Restoring;

/// <summary>
/// A data directory as a restore sees it: its absolute path, its parent and its name, and the
/// names of the directories a restore builds beside it. They live in the same parent, so the
/// final swap is a rename within one directory of one file system, and start with a dot and the
/// target's name so that they cannot be mistaken for anything of the database's.
/// </summary>
internal sealed class RestoreTarget
{
    private RestoreTarget(string path, string parent, string name)
    {
        Path = path;
        Parent = parent;
        Name = name;
    }

    /// <summary>The data directory's absolute path, without a trailing separator.</summary>
    public string Path { get; }

    /// <summary>The directory holding it.</summary>
    public string Parent { get; }

    /// <summary>Its name in <see cref="Parent"/>.</summary>
    public string Name { get; }

    private string SiblingPrefix => "." + Name + StagingArea.RestorePrefix;

    public static RestoreTarget For(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        string full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(dataDirectory));
        string name = System.IO.Path.GetFileName(full);
        string? parent = System.IO.Path.GetDirectoryName(full);
        if (name.Length == 0 || parent is null)
        {
            throw new ArgumentException($"'{dataDirectory}' cannot be a data directory to restore into: it has no parent.", nameof(dataDirectory));
        }

        return new RestoreTarget(full, parent, name);
    }

    /// <summary><c>&lt;parent&gt;/.&lt;name&gt;.restore-&lt;id&gt;</c>: where a restore of <paramref name="id"/> builds the new data directory.</summary>
    public string SiblingFor(SnapshotId id) => System.IO.Path.Join(Parent, SiblingPrefix + id.ToString());

    /// <summary>True when <paramref name="entryName"/> (in <see cref="Parent"/>) is a restore's directory for this target.</summary>
    public bool IsSibling(string entryName)
        => entryName.StartsWith(SiblingPrefix, StringComparison.Ordinal)
        && SnapshotId.TryParse(entryName.AsSpan(SiblingPrefix.Length), out _);
}

using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>
/// Issue #17, "no-replace publish": create checks early that the final name is free, so no other
/// test reaches the publishing rename while the name is taken, and a <c>renameat2</c> without
/// <c>RENAME_NOREPLACE</c> passed them all. Here the internal <see cref="SnapshotOptions.BeforeStep"/>
/// hook, which fires immediately before the rename, plants a directory at the final name (as
/// another process could, between the check and the rename). Create must fail naming EEXIST, leave
/// the planted directory exactly as it was, and remove its staging directory. It does not retry
/// under a later id: the id is the snapshot's creation instant, and a snapshot published under a
/// later second than it was taken would lie about when it was taken.
/// </summary>
public sealed class NoReplacePublishTests : IDisposable
{
    private readonly TestDataDirectory _data = new();
    private readonly FixedTimeProvider _clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    public NoReplacePublishTests()
    {
        _data.WriteStorage(70_000, seed: 3);
        _data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
    }

    public void Dispose() => _data.Dispose();

    /// <summary>
    /// An empty directory is the case that tells the flags apart: a plain <c>rename(2)</c> silently
    /// replaces an empty directory (and fails on a non-empty one with ENOTEMPTY).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Create_fails_with_EEXIST_when_the_final_name_appears_just_before_the_publish_and_leaves_it_untouched(bool plantedHasContent)
    {
        SnapshotId id = SnapshotId.FromDateTimeOffset(_clock.Now);
        string final = _data.SnapshotDirectory(id);
        string staging = Path.Join(_data.SnapshotsDirectory, ".staging-" + id);
        bool planted = false;
        bool stagingExistedAtPublish = false;
        var options = new SnapshotOptions
        {
            TimeProvider = _clock,
            BeforeStep = step =>
            {
                if (step == SnapshotStep.Publish)
                {
                    stagingExistedAtPublish = Directory.Exists(staging);
                    Directory.CreateDirectory(final);
                    if (plantedHasContent)
                    {
                        File.WriteAllText(Path.Join(final, "planted.txt"), "not a snapshot");
                    }

                    planted = true;
                }
            },
        };
        using var manager = new SnapshotManager();

        var error = Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(manager, options));

        Assert.True(planted && stagingExistedAtPublish, "the hook must fire at the publish, with the staging directory complete");
        Assert.Equal(Errno.EEXIST, error.Errno);
        Assert.Equal(SnapshotStep.Publish, error.Step);
        Assert.Equal(final, error.Path);
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        Assert.Null(error.CleanupFailure);

        // The planted directory is exactly as planted: not replaced by the staging tree, not filled, not removed.
        Assert.True(Directory.Exists(final));
        Assert.Equal(plantedHasContent ? ["planted.txt"] : [], Directory.EnumerateFileSystemEntries(final).Select(Path.GetFileName));
        if (plantedHasContent)
        {
            Assert.Equal("not a snapshot", File.ReadAllText(Path.Join(final, "planted.txt")));
        }

        Assert.False(Directory.Exists(staging), "the staging directory must be removed after the failed publish");
        Assert.Equal([id.ToString()], Directory.EnumerateFileSystemEntries(_data.SnapshotsDirectory).Select(Path.GetFileName));
    }
}

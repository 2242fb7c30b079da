using AeroSnapshot.Fast.Restoring;

namespace AeroSnapshot.Fast.Tests.Restoring;

/// <summary>
/// Where a restore builds the new data directory: beside the target, under a hidden name made of
/// the target's name and the snapshot id, which recovery and clean-up find again by that name.
/// Found by the mutation run of issue #17: the name's leading dot and the argument checks could
/// change without failing a test.
/// </summary>
public sealed class RestoreTargetTests
{
    private static readonly SnapshotId Id = SnapshotId.Parse("20260301T120000Z");

    [Theory]
    [InlineData("/srv/aerodb/data")]
    [InlineData("/srv/aerodb/data/")]
    [InlineData("/srv/aerodb/./data")]
    public void The_new_directory_is_a_hidden_sibling_named_after_the_target_and_the_snapshot(string target)
    {
        RestoreTarget restore = RestoreTarget.For(target);

        Assert.Equal("/srv/aerodb/data", restore.Path);
        Assert.Equal("/srv/aerodb", restore.Parent);
        Assert.Equal("data", restore.Name);
        Assert.Equal("/srv/aerodb/.data.restore-20260301T120000Z", restore.SiblingFor(Id));
    }

    [Theory]
    [InlineData(".data.restore-20260301T120000Z", true)]
    [InlineData("data.restore-20260301T120000Z", false)]
    [InlineData(".data.restore-", false)]
    [InlineData(".data.restore-not-an-id", false)]
    [InlineData(".other.restore-20260301T120000Z", false)]
    public void Only_a_sibling_of_this_target_with_a_valid_id_is_recognised(string entry, bool expected)
        => Assert.Equal(expected, RestoreTarget.For("/srv/aerodb/data").IsSibling(entry));

    [Fact]
    public void The_root_directory_cannot_be_restored_into()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => RestoreTarget.For("/"));
        Assert.Contains("no parent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_or_null_target_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => RestoreTarget.For(string.Empty));
        Assert.Throws<ArgumentNullException>(() => RestoreTarget.For(null!));
    }
}

namespace AeroSnapshot.Fast.Tests.Model;

/// <summary>The schema map is built once per snapshot; it must hold only valid, unique keys, in write order.</summary>
public sealed class ChecksumMapTests
{
    [Fact]
    public void Create_sorts_entries_in_code_point_order()
    {
        ChecksumMap map = ChecksumMap.Create(new Dictionary<string, Crc32Checksum>(StringComparer.Ordinal)
        {
            ["b"] = new(2),
            ["\U0001F600"] = new(4),
            ["a/b"] = new(1),
            ["\uFF5E"] = new(3),
            ["A"] = new(0),
        });

        Assert.Equal(["A", "a/b", "b", "\uFF5E", "\U0001F600"], map.Select(e => e.Path));
        Assert.Equal(5, map.Count);
        Assert.Equal("a/b", map[1].Path);
    }

    [Fact]
    public void Create_refuses_an_invalid_path()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => ChecksumMap.Create([new ChecksumEntry("../escape", default)]));

        Assert.Contains("../escape", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_refuses_a_path_given_twice()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(
            () => ChecksumMap.Create([new ChecksumEntry("a", new(1)), new ChecksumEntry("b", default), new ChecksumEntry("a", new(2))]));

        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_with_no_entries_returns_the_shared_empty_map()
    {
        Assert.Same(ChecksumMap.Empty, ChecksumMap.Create(Array.Empty<ChecksumEntry>()));
    }

    [Fact]
    public void TryGetValue_finds_present_paths_only()
    {
        ChecksumMap map = ChecksumMap.Create([new ChecksumEntry("a.json", new(7)), new ChecksumEntry("dir/b.json", new(8))]);

        Assert.True(map.TryGetValue("dir/b.json", out Crc32Checksum found));
        Assert.Equal(8u, found.Value);
        Assert.False(map.TryGetValue("b.json", out Crc32Checksum missing));
        Assert.Equal(default, missing);
        Assert.False(ChecksumMap.Empty.TryGetValue("a.json", out _));
    }

    [Fact]
    public void Maps_with_the_same_entries_are_equal_whatever_the_input_order()
    {
        ChecksumMap x = ChecksumMap.Create([new ChecksumEntry("a", new(1)), new ChecksumEntry("b", new(2))]);
        ChecksumMap y = ChecksumMap.Create([new ChecksumEntry("b", new(2)), new ChecksumEntry("a", new(1))]);
        ChecksumMap z = ChecksumMap.Create([new ChecksumEntry("b", new(3)), new ChecksumEntry("a", new(1))]);

        Assert.Equal(x, y);
        Assert.Equal(x.GetHashCode(), y.GetHashCode());
        Assert.NotEqual(x, z);
        Assert.False(x.Equals(null));
    }
}

using System.Text;
using AeroSnapshot.Fast.Tests.ManifestFormat;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.Model;

/// <summary>
/// Schema keys come from an untrusted file and become paths under <c>schemas/</c>; anything that
/// could point elsewhere must be refused, and the sort order must match the reference's BTreeMap.
/// </summary>
public sealed class SchemaPathTests
{
    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("a/", "ends with '/'")]
    [InlineData("a\0b", "NUL")]
    [InlineData("a//b", "empty segment")]
    [InlineData(".", "'.'")]
    [InlineData("a/./b", "'.'")]
    [InlineData("..", "'..'")]
    [InlineData("a/../../b", "'..'")]
    [InlineData("../x", "'..'")]
    public void Refuses_keys_that_are_not_plain_relative_paths(string? path, string reason)
    {
        string? why = SchemaPath.Validate(path);

        Assert.NotNull(why);
        Assert.Contains(reason, why, StringComparison.Ordinal);
        Assert.False(SchemaPath.IsValid(path));
    }

    [Fact]
    public void Refuses_keys_with_unpaired_surrogates()
    {
        // Built in code: xunit's theory serialisation would turn a lone surrogate into U+FFFD.
        string[] paths = ["a" + '\uD800' + "b", "a" + '\uDC00', '\uDE00' + "\U0001F600" + '\uD83D'];
        foreach (string path in paths)
        {
            Assert.Contains("not valid Unicode", SchemaPath.Validate(path), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("user_v1.json")]
    [InlineData("a/b/c.json")]
    [InlineData("...")]
    [InlineData(".hidden")]
    [InlineData("a..b")]
    [InlineData("with \"quotes\"")]
    [InlineData("tab\tand\nnewline")]
    [InlineData("\U0001F600")]
    [InlineData("caf\u00e9/\u65e5\u672c")]
    [InlineData(" ")]
    [InlineData("a\\b")]
    [InlineData("..\\x")]
    [InlineData("dir\\/x.json")]
    public void Accepts_unusual_but_legal_keys(string path)
    {
        Assert.Null(SchemaPath.Validate(path));
    }

    [Fact]
    public void Code_point_order_equals_utf8_byte_order()
    {
        Gen.Select(ManifestGen.SchemaPath, ManifestGen.SchemaPath).Sample((x, y) =>
        {
            int expected = Math.Sign(Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)));

            Assert.Equal(expected, Math.Sign(SchemaPath.CompareCodePoints(x, y)));
            Assert.Equal(-expected, Math.Sign(SchemaPath.CompareCodePoints(y, x)));
        });
    }

    [Fact]
    public void Code_point_order_differs_from_utf16_ordinal_order_above_the_surrogates()
    {
        // U+FF5E is one UTF-16 unit 0xFF5E; U+1F600 starts with the unit 0xD83D.
        Assert.True(string.CompareOrdinal("\uFF5E", "\U0001F600") > 0);
        Assert.True(SchemaPath.CompareCodePoints("\uFF5E", "\U0001F600") < 0);
    }

    [Fact]
    public void Null_sorts_first()
    {
        Assert.True(SchemaPath.CompareCodePoints(null, "a") < 0);
        Assert.True(SchemaPath.CompareCodePoints("a", null) > 0);
        Assert.Equal(0, SchemaPath.CompareCodePoints(null, null));
    }
}

using System.Text;

namespace AeroSnapshot.Fast.Tests.Model;

/// <summary><c>created_at</c> is a UTC second in extended format and nothing else.</summary>
public sealed class SnapshotInstantTests
{
    [Fact]
    public void Formats_as_iso_8601_extended_utc()
    {
        SnapshotInstant instant = SnapshotInstant.FromDateTimeOffset(new DateTimeOffset(2026, 2, 4, 11, 30, 0, 500, TimeSpan.Zero));

        Assert.Equal("2026-02-04T11:30:00Z", instant.ToString());
        Assert.Equal(SnapshotInstant.Length, instant.ToString().Length);
    }

    [Theory]
    [InlineData("2026-02-04T11:30:00")]
    [InlineData("2026-02-04T11:30:00+00:00")]
    [InlineData("2026-02-04T11:30:00.5Z")]
    [InlineData("2026-2-4T11:30:00Z")]
    [InlineData("2026-02-29T00:00:00Z")]
    [InlineData("2026-02-04T11:30:00Z\n")]
    public void Refuses_offsets_fractions_and_invalid_dates(string text)
    {
        Assert.False(SnapshotInstant.TryParse(text, out _));
        Assert.False(SnapshotInstant.TryParse(Encoding.UTF8.GetBytes(text), out _));
        Assert.Throws<FormatException>(() => SnapshotInstant.Parse(text));
    }

    [Fact]
    public void Parse_and_format_agree_for_utf8_and_utf16()
    {
        SnapshotInstant instant = SnapshotInstant.Parse("2024-02-29T23:59:59Z");
        Span<byte> utf8 = stackalloc byte[SnapshotInstant.Length];

        Assert.True(instant.TryFormat(utf8, out int written));
        Assert.True(SnapshotInstant.TryParse(utf8[..written], out SnapshotInstant fromUtf8));
        Assert.Equal(instant, fromUtf8);
        Assert.Equal("2024-02-29T23:59:59Z", Encoding.UTF8.GetString(utf8[..written]));
    }
}

using System.Text;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.Model;

/// <summary>
/// A snapshot id is both a directory name and a timestamp; discovery relies on an ordinal sort of
/// names being a chronological sort, so format, parse and order must agree exactly.
/// </summary>
public sealed class SnapshotIdTests
{
    private static readonly Gen<DateTime> UtcSecond = Gen.Long[0, DateTime.MaxValue.Ticks / TimeSpan.TicksPerSecond]
        .Select(seconds => new DateTime(seconds * TimeSpan.TicksPerSecond, DateTimeKind.Utc));

    [Fact]
    public void Formats_as_iso_8601_basic_utc_with_sixteen_characters()
    {
        SnapshotId id = SnapshotId.FromDateTimeOffset(new DateTimeOffset(2026, 2, 4, 11, 30, 0, TimeSpan.Zero));

        Assert.Equal("20260204T113000Z", id.ToString());
        Assert.Equal(SnapshotId.Length, id.ToString().Length);
    }

    [Fact]
    public void Converts_a_local_offset_to_utc()
    {
        SnapshotId id = SnapshotId.FromDateTimeOffset(new DateTimeOffset(2026, 2, 4, 12, 30, 0, TimeSpan.FromHours(1)));

        Assert.Equal("20260204T113000Z", id.ToString());
    }

    [Fact]
    public void Drops_fractions_of_a_second()
    {
        var instant = new DateTimeOffset(2026, 2, 4, 11, 30, 0, 999, TimeSpan.Zero).AddTicks(9_999);

        Assert.Equal(SnapshotId.Parse("20260204T113000Z"), SnapshotId.FromDateTimeOffset(instant));
    }

    [Fact]
    public void Names_the_same_second_as_its_instant()
    {
        SnapshotId id = SnapshotId.Parse("20260204T113000Z");

        Assert.Equal("2026-02-04T11:30:00Z", id.Instant.ToString());
        Assert.Equal(id, id.Instant.ToSnapshotId());
        Assert.Equal(DateTimeKind.Utc, id.UtcDateTime.Kind);
    }

    [Theory]
    [InlineData("00010101T000000Z")]
    [InlineData("99991231T235959Z")]
    [InlineData("20240229T120000Z")]
    [InlineData("20000229T000000Z")]
    public void Parses_boundary_dates(string text)
    {
        Assert.Equal(text, SnapshotId.Parse(text).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("20260204T113000")]
    [InlineData("20260204T113000Z ")]
    [InlineData(" 20260204T113000Z")]
    [InlineData("20260230T000000Z")]
    [InlineData("21000229T000000Z")]
    [InlineData("20260204T113060Z")]
    [InlineData("00000101T000000Z")]
    [InlineData("2026-02-04T11:30:00Z")]
    [InlineData("20260204X113000Z")]
    [InlineData("٢0260204T113000Z")] // an Arabic-Indic digit
    public void Refuses_anything_but_a_valid_basic_format_utc_second(string text)
    {
        Assert.False(SnapshotId.TryParse(text, out _));
        Assert.False(SnapshotId.TryParse(Encoding.UTF8.GetBytes(text), out _));
        Assert.Throws<FormatException>(() => SnapshotId.Parse(text));
    }

    [Fact]
    public void Parse_of_null_throws_ArgumentNullException_and_TryParse_returns_false()
    {
        Assert.Throws<ArgumentNullException>(() => SnapshotId.Parse((string)null!));
        Assert.False(SnapshotId.TryParse((string?)null, out _));
    }

    [Fact]
    public void Format_then_parse_is_identity_for_every_utc_second()
    {
        UtcSecond.Sample(utc =>
        {
            SnapshotId id = SnapshotId.FromDateTimeOffset(new DateTimeOffset(utc));
            string text = id.ToString();
            Span<byte> utf8 = stackalloc byte[SnapshotId.Length];
            Assert.True(id.TryFormat(utf8, out int written));

            Assert.Equal(utc, id.UtcDateTime);
            Assert.Equal(id, SnapshotId.Parse(text));
            Assert.True(SnapshotId.TryParse(utf8[..written], out SnapshotId fromUtf8));
            Assert.Equal(id, fromUtf8);
            Assert.Equal(text, Encoding.UTF8.GetString(utf8[..written]));
        });
    }

    [Fact]
    public void Ordinal_order_of_names_is_chronological_order()
    {
        Gen.Select(UtcSecond, UtcSecond).Sample((a, b) =>
        {
            SnapshotId x = SnapshotId.FromDateTimeOffset(new DateTimeOffset(a));
            SnapshotId y = SnapshotId.FromDateTimeOffset(new DateTimeOffset(b));

            Assert.Equal(Math.Sign(a.CompareTo(b)), Math.Sign(x.CompareTo(y)));
            Assert.Equal(Math.Sign(a.CompareTo(b)), Math.Sign(string.CompareOrdinal(x.ToString(), y.ToString())));
            Assert.Equal(a == b, x == y);
            Assert.Equal(a < b, x < y);
        });
    }

    [Fact]
    public void TryFormat_into_a_short_buffer_returns_false()
    {
        SnapshotId id = SnapshotId.Parse("20260204T113000Z");

        Assert.False(id.TryFormat(stackalloc char[SnapshotId.Length - 1], out int chars));
        Assert.False(id.TryFormat(stackalloc byte[SnapshotId.Length - 1], out int bytes));
        Assert.Equal(0, chars);
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void CompareTo_object_follows_the_IComparable_contract()
    {
        SnapshotId id = SnapshotId.Parse("20260204T113000Z");

        Assert.Equal(1, id.CompareTo(null));
        Assert.Equal(0, id.CompareTo((object)SnapshotId.Parse("20260204T113000Z")));
        Assert.Throws<ArgumentException>(() => id.CompareTo("20260204T113000Z"));
    }

    [Fact]
    public void Generic_parsing_interfaces_agree_with_Parse()
    {
        Assert.Equal(SnapshotId.Parse("20260204T113000Z"), ParseVia<SnapshotId>("20260204T113000Z"));
        Assert.Equal(SnapshotId.Parse("20260204T113000Z"), ParseUtf8Via<SnapshotId>("20260204T113000Z"u8));
        Assert.Throws<FormatException>(() => ParseUtf8Via<SnapshotId>("2026"u8));
    }

    private static T ParseVia<T>(string text)
        where T : ISpanParsable<T> => T.Parse(text.AsSpan(), null);

    private static T ParseUtf8Via<T>(ReadOnlySpan<byte> text)
        where T : IUtf8SpanParsable<T> => T.Parse(text, null);
}

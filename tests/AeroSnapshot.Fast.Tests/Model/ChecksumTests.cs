using System.IO.Hashing;
using System.Text;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.Model;

/// <summary>Checksums are compared as text by other implementations, so their spelling is part of the contract.</summary>
public sealed class ChecksumTests
{
    [Fact]
    public void Crc32_of_the_standard_check_string_is_written_in_contract_form()
    {
        // "123456789" is the CRC catalogue's check input; CRC-32/ISO-HDLC gives 0xCBF43926.
        uint crc = Crc32.HashToUInt32("123456789"u8);

        Assert.Equal("crc32:cbf43926", new Crc32Checksum(crc).ToString());
    }

    [Theory]
    [InlineData(0u, "crc32:00000000")]
    [InlineData(0xAu, "crc32:0000000a")]
    [InlineData(0xFFFFFFFFu, "crc32:ffffffff")]
    [InlineData(0xDEADBEEFu, "crc32:deadbeef")]
    public void Formats_eight_lowercase_hex_digits_with_leading_zeros(uint value, string expected)
    {
        var checksum = new Crc32Checksum(value);
        Span<byte> utf8 = stackalloc byte[Crc32Checksum.Length];

        Assert.Equal(expected, checksum.ToString());
        Assert.True(checksum.TryFormat(utf8, out int written));
        Assert.Equal(expected, Encoding.ASCII.GetString(utf8[..written]));
    }

    [Theory]
    [InlineData("crc32:DEADBEEF")]
    [InlineData("crc32:deadBEEF")]
    public void Parses_hex_digits_in_either_case(string text)
    {
        Assert.Equal(0xDEADBEEFu, Crc32Checksum.Parse(text).Value);
        Assert.True(Crc32Checksum.TryParse(Encoding.UTF8.GetBytes(text), out Crc32Checksum fromUtf8));
        Assert.Equal(0xDEADBEEFu, fromUtf8.Value);
    }

    [Theory]
    [InlineData("crc32:deadbee")]
    [InlineData("crc32:deadbeef0")]
    [InlineData("deadbeef")]
    [InlineData("CRC32:deadbeef")]
    [InlineData("crc32:-eadbeef")]
    [InlineData("crc32: eadbeef")]
    [InlineData("crc32:deadbeeG")]
    [InlineData("crc32:\u0660eadbeef")]
    [InlineData("")]
    public void Refuses_anything_but_the_prefix_and_exactly_eight_hex_digits(string text)
    {
        Assert.False(Crc32Checksum.TryParse(text, out _));
        Assert.False(Crc32Checksum.TryParse(Encoding.UTF8.GetBytes(text), out _));
        Assert.Throws<FormatException>(() => Crc32Checksum.Parse(text));
    }

    [Fact]
    public void Format_then_parse_is_identity_for_every_value()
    {
        Gen.UInt.Sample(value =>
        {
            var checksum = new Crc32Checksum(value);
            string text = checksum.ToString();

            Assert.Equal(checksum, Crc32Checksum.Parse(text));
            Assert.True(Crc32Checksum.TryParse(Encoding.ASCII.GetBytes(text), out Crc32Checksum fromUtf8));
            Assert.Equal(checksum, fromUtf8);
            Assert.Equal(checksum, Crc32Checksum.Parse(text.ToUpperInvariant().Replace("CRC32", "crc32", StringComparison.Ordinal)));
        });
    }

    [Fact]
    public void Utf16_and_utf8_parsers_agree_on_arbitrary_text()
    {
        Gen.String[Gen.Char["crc32:0123456789abcdefABCDEFxg \u0660"], 0, 16].Sample(text =>
        {
            bool utf16 = Crc32Checksum.TryParse(text, out Crc32Checksum a);
            bool utf8 = Crc32Checksum.TryParse(Encoding.UTF8.GetBytes(text), out Crc32Checksum b);

            Assert.Equal(utf16, utf8);
            Assert.Equal(a, b);
        });
    }
}

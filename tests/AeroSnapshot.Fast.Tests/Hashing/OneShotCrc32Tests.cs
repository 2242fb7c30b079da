using System.Buffers.Binary;
using System.IO.Hashing;
using AeroSnapshot.Fast.Hashing;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.Hashing;

/// <summary>
/// The WAL validator's one-call CRC must equal System.IO.Hashing's for every length and alignment:
/// each path (below 64 bytes, the one-register fold, the four-accumulator fold from 1 KiB, the
/// 16-byte folds, the slice-by-8 tail) is reached by some length here.
/// </summary>
public sealed class OneShotCrc32Tests
{
    [Fact]
    public void Every_length_up_to_3000_at_every_alignment_mod_8_gives_system_io_hashings_crc()
    {
        byte[] padded = new byte[3000 + 8];
        new Random(13).NextBytes(padded);
        for (int misalignment = 0; misalignment < 8; misalignment++)
        {
            for (int length = 0; length <= 3000; length++)
            {
                ReadOnlySpan<byte> data = padded.AsSpan(misalignment, length);
                uint expected = Crc32.HashToUInt32(data);
                uint actual = OneShotCrc32.Hash(data);
                if (actual != expected)
                {
                    Assert.Fail($"length {length}, misalignment {misalignment}: {actual:x8}, expected {expected:x8}");
                }
            }
        }
    }

    [Fact]
    public void Random_inputs_up_to_70000_bytes_give_system_io_hashings_crc()
    {
        Gen.Byte.Array[0, 70_000].Sample(data => OneShotCrc32.Hash(data) == Crc32.HashToUInt32(data), iter: 300);
    }

    [Fact]
    public void All_zeros_and_all_ones_give_system_io_hashings_crc()
    {
        foreach (int length in new[] { 64, 65, 80, 127, 128, 256, 1023, 1024, 1088, 4096 })
        {
            byte[] zeros = new byte[length];
            byte[] ones = Enumerable.Repeat((byte)0xFF, length).ToArray();
            Assert.Equal(Crc32.HashToUInt32(zeros), OneShotCrc32.Hash(zeros));
            Assert.Equal(Crc32.HashToUInt32(ones), OneShotCrc32.Hash(ones));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(252)]
    [InlineData(4092)]
    public void A_message_followed_by_its_own_crc_has_the_residue_and_any_flipped_bit_breaks_it(int bodyLength)
    {
        byte[] record = new byte[bodyLength + 4];
        new Random(bodyLength).NextBytes(record);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(bodyLength), Crc32.HashToUInt32(record.AsSpan(0, bodyLength)));

        Assert.Equal(OneShotCrc32.Residue, OneShotCrc32.Hash(record));
        for (int bit = 0; bit < record.Length * 8; bit += 7)
        {
            record[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(OneShotCrc32.Residue, OneShotCrc32.Hash(record));
            record[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }

    [Fact]
    public void The_check_value_of_123456789_is_cbf43926()
    {
        Assert.Equal(0xCBF43926u, OneShotCrc32.Hash("123456789"u8));
        byte[] longer = [.. Enumerable.Repeat("123456789"u8.ToArray(), 20).SelectMany(b => b)];
        Assert.Equal(Crc32.HashToUInt32(longer), OneShotCrc32.Hash(longer));
    }
}

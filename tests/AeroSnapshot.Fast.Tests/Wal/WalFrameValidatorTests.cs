using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Wal;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.Wal;

/// <summary>The WAL record frame: generated WALs validate however they are chunked; every kind of damage is found at its record.</summary>
public sealed class WalFrameValidatorTests
{
    private static readonly Gen<int> PayloadSize = Gen.OneOf(Gen.Int[0, 40], Gen.Int[4000, 4200], Gen.Int[0, 70_000]);

    private static readonly Gen<int[]> Payloads = PayloadSize.Array[1, 12];

    [Fact]
    public void Generated_wals_validate_whatever_the_chunk_boundaries()
    {
        Gen.Select(Payloads, Gen.Int[1, 9000], Gen.ULong[0, ulong.MaxValue - 100]).Sample((sizes, chunk, first) =>
        {
            (byte[] wal, _) = WalBuilder.Valid(sizes, first);
            WalSummary summary = Validate(wal, chunk);
            Assert.Equal(sizes.Length, summary.Records);
            Assert.Equal(wal.Length, summary.Bytes);
            Assert.Equal(first, summary.FirstSequence);
            Assert.Equal(first + (ulong)sizes.Length - 1, summary.LastSequence);
        }, iter: 200);
    }

    [Fact]
    public void An_empty_wal_is_valid()
    {
        WalSummary summary = Validate([], 4096);
        Assert.Equal(0, summary.Records);
        Assert.Null(summary.LastSequence);
    }

    [Fact]
    public void A_wal_cut_anywhere_inside_a_record_is_a_torn_tail_at_that_record()
    {
        Gen.Select(Payloads, Gen.Double[0, 1], Gen.Bool).Sample((sizes, where, knownLength) =>
        {
            (byte[] wal, long[] offsets) = WalBuilder.Valid(sizes);
            int cut = (int)(where * (wal.Length - 1));
            if (Array.IndexOf(offsets, (long)cut) >= 0)
            {
                cut++; // a cut exactly between records leaves a valid, shorter WAL
            }

            WalFrameException error = Assert.Throws<WalFrameException>(() => Validate(wal.AsSpan(0, cut).ToArray(), 1000, knownLength));
            Assert.Equal(WalProblemKind.TornTail, error.Kind);
            Assert.Equal(offsets[WalBuilder.RecordAt(offsets, cut)], error.RecordOffset);
        }, iter: 300);
    }

    [Fact]
    public void A_flipped_bit_anywhere_is_found_at_the_record_that_holds_it()
    {
        Gen.Select(Payloads, Gen.Double[0, 1], Gen.Int[0, 7]).Sample((sizes, where, bit) =>
        {
            (byte[] wal, long[] offsets) = WalBuilder.Valid(sizes);
            int position = (int)(where * (wal.Length - 1));
            wal[position] ^= (byte)(1 << bit);

            WalFrameException error = Assert.Throws<WalFrameException>(() => Validate(wal, 777));
            Assert.Equal(offsets[WalBuilder.RecordAt(offsets, position)], error.RecordOffset);
            bool inLength = position - offsets[WalBuilder.RecordAt(offsets, position)] < 4;
            if (!inLength)
            {
                Assert.Equal(WalProblemKind.ChecksumMismatch, error.Kind);
            }
        }, iter: 300);
    }

    [Fact]
    public void A_length_shorter_than_header_and_checksum_is_an_impossible_length()
    {
        byte[] good = WalBuilder.Record(0, 1, [1, 2, 3]);
        byte[] bad = WalBuilder.Record(1, 2, []);
        bad[0] = 16;
        WalFrameException error = Assert.Throws<WalFrameException>(() => Validate([.. good, .. bad], 4096));
        Assert.Equal(WalProblemKind.ImpossibleLength, error.Kind);
        Assert.Equal(good.Length, error.RecordOffset);
    }

    [Fact]
    public void A_length_past_the_end_of_a_file_of_known_length_is_reported_before_reading_on()
    {
        byte[] record = WalBuilder.Record(0, 1, new byte[100]);
        record[1] = 0x10; // 4 KiB more than there is
        WalFrameException error = Assert.Throws<WalFrameException>(() => Validate(record, 4096, knownLength: true));
        Assert.Equal(WalProblemKind.TornTail, error.Kind);
        Assert.Equal(0, error.RecordOffset);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(255)]
    public void A_checksummed_record_of_an_unknown_type_is_refused(byte type)
    {
        byte[] good = WalBuilder.Record(5, 1, [9]);
        byte[] bad = WalBuilder.Record(type, 2, [9]);
        WalFrameException error = Assert.Throws<WalFrameException>(() => Validate([.. good, .. bad], 4096));
        Assert.Equal(WalProblemKind.UnknownType, error.Kind);
        Assert.Equal(good.Length, error.RecordOffset);
    }

    [Theory]
    [InlineData(10UL, 10UL)]
    [InlineData(10UL, 9UL)]
    [InlineData(10UL, 0UL)]
    public void A_sequence_number_that_repeats_or_goes_back_is_refused(ulong first, ulong second)
    {
        byte[] a = WalBuilder.Record(0, first, [1]);
        byte[] b = WalBuilder.Record(0, second, [2]);
        WalFrameException error = Assert.Throws<WalFrameException>(() => Validate([.. a, .. b], 4096));
        Assert.Equal(WalProblemKind.SequenceNotIncreasing, error.Kind);
        Assert.Equal(a.Length, error.RecordOffset);
    }

    [Fact]
    public void The_manager_reports_a_bad_wal_file_as_fatal_wal_corruption_naming_the_offset()
    {
        string path = Path.Join(Path.GetTempPath(), "aerosnap-wal-" + Guid.NewGuid().ToString("N"));
        try
        {
            (byte[] wal, long[] offsets) = WalBuilder.Valid([10, 20, 30]);
            wal[(int)offsets[2] + 15] ^= 0x40;
            File.WriteAllBytes(path, wal);
            using var manager = new SnapshotManager();
            SnapshotException error = Assert.Throws<SnapshotException>(() => manager.ValidateWal(path, new SnapshotOptions { BufferSize = 4096 }));
            Assert.Equal(SnapshotErrorCode.WalCorruption, error.Code);
            Assert.Equal(SnapshotSeverity.Fatal, error.Severity);
            Assert.Equal("K2", error.Invariant);
            Assert.Equal(path, error.Path);
            Assert.Contains($"offset {offsets[2]}", error.Message, StringComparison.Ordinal);
            Assert.Equal(offsets[2], Assert.IsType<WalFrameException>(error.InnerException).RecordOffset);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_manager_validates_a_wal_larger_than_its_buffer_streaming_through_it()
    {
        string path = Path.Join(Path.GetTempPath(), "aerosnap-wal-" + Guid.NewGuid().ToString("N"));
        try
        {
            (byte[] wal, _) = WalBuilder.Valid(Enumerable.Repeat(9000, 50).ToArray());
            File.WriteAllBytes(path, wal);
            using var manager = new SnapshotManager();
            WalSummary summary = manager.ValidateWal(path, new SnapshotOptions { BufferSize = 4096 });
            Assert.Equal(50, summary.Records);
            Assert.Equal(wal.Length, summary.Bytes);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static WalSummary Validate(byte[] wal, int chunk, bool knownLength = false)
    {
        var validator = new WalFrameValidator("test.wal", knownLength ? wal.Length : null);
        for (int offset = 0; offset < wal.Length; offset += chunk)
        {
            validator.Append(wal.AsSpan(offset, Math.Min(chunk, wal.Length - offset)));
        }

        return validator.Complete();
    }
}

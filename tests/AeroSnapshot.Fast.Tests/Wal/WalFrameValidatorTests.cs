using System.Buffers.Binary;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Wal;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.Wal;

/// <summary>
/// The WAL validator, judged by AeroDB's reader's rules: generated WALs validate however they are
/// chunked; every kind of damage is found at its record; the byte-wise and in-place paths agree.
/// The verdicts themselves are pinned against the reference's reader in <see cref="ReferenceWalVerdictTests"/>.
/// </summary>
public sealed class WalFrameValidatorTests
{
    private static readonly Gen<int> BodySize = Gen.OneOf(Gen.Int[0, 40], Gen.Int[4000, 4200], Gen.Int[0, 70_000]);

    private static readonly Gen<int[]> Bodies = BodySize.Array[1, 12];

    [Fact]
    public void Generated_wals_validate_whatever_the_chunk_boundaries()
    {
        Gen.Select(Bodies, Gen.Int[1, 9000]).Sample((sizes, chunk) =>
        {
            (byte[] wal, _) = WalBuilder.Valid(sizes);
            WalSummary summary = Validate(wal, chunk);
            Assert.Equal(sizes.Length, summary.Records);
            Assert.Equal(wal.Length, summary.Bytes);
            Assert.Equal(1UL, summary.FirstSequence);
            Assert.Equal((ulong)sizes.Length, summary.LastSequence);
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
        Gen.Select(Bodies, Gen.Double[0, 1], Gen.Bool).Sample((sizes, where, knownLength) =>
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
        Gen.Select(Bodies, Gen.Double[0, 1], Gen.Int[0, 7]).Sample((sizes, where, bit) =>
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
    public void The_shortest_record_is_37_bytes_five_empty_fields_and_one_byte_less_is_an_impossible_length()
    {
        byte[] shortest = AeroDbWal.Frame(0, 1, new byte[20]);
        Assert.Equal(37, shortest.Length);
        Assert.Equal(1, Validate(shortest, 4096).Records);

        // 36 bytes: a frame AeroDB's reader refuses. It asks first whether 37 bytes are left, so
        // as the last record it is a torn tail, and with more after it an impossible length.
        byte[] good = AeroDbWal.Record(0, 1, [1, 2, 3]);
        byte[] bad = AeroDbWal.Frame(1, 2, new byte[19]);
        foreach (bool known in new[] { true, false })
        {
            WalFrameException error = Assert.Throws<WalFrameException>(() => Validate([.. good, .. bad, .. AeroDbWal.Record(0, 3, [])], 4096, known));
            Assert.Equal(WalProblemKind.ImpossibleLength, error.Kind);
            Assert.Equal(good.Length, error.RecordOffset);
            error = Assert.Throws<WalFrameException>(() => Validate([.. good, .. bad], 4096, known));
            Assert.Equal(WalProblemKind.TornTail, error.Kind);
            Assert.Equal(good.Length, error.RecordOffset);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(36)]
    public void Fewer_than_37_bytes_after_the_last_record_are_a_torn_tail(int tail)
    {
        byte[] good = AeroDbWal.Record(0, 1, [1, 2, 3]);
        byte[] wal = [.. good, .. new byte[tail]];
        foreach (bool known in new[] { true, false })
        {
            WalFrameException error = Assert.Throws<WalFrameException>(() => Validate(wal, 4096, known));
            Assert.Equal(WalProblemKind.TornTail, error.Kind);
            Assert.Equal(good.Length, error.RecordOffset);
        }
    }

    [Fact]
    public void The_mvcc_commit_record_aeroDBs_writer_makes_is_refused_as_its_reader_refuses_it()
    {
        // MvccCommitRecord::serialize: 25 bytes (commit id only), below the reader's 37.
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, 42);
        byte[] commit = AeroDbWal.Frame(3, 1, payload);
        Assert.Equal(WalProblemKind.ImpossibleLength, Assert.Throws<WalFrameException>(() => Validate([.. commit, .. AeroDbWal.Record(0, 2, [])], 4096)).Kind);
        Assert.Equal(WalProblemKind.TornTail, Assert.Throws<WalFrameException>(() => Validate(commit, 4096)).Kind);
    }

    [Fact]
    public void A_length_past_the_end_of_a_file_of_known_length_is_reported_before_reading_on()
    {
        byte[] record = AeroDbWal.Record(0, 1, new byte[100]);
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
        byte[] good = AeroDbWal.Record(5, 1, [9]);
        byte[] bad = AeroDbWal.Record(type, 2, [9]);
        WalFrameException error = Assert.Throws<WalFrameException>(() => Validate([.. good, .. bad], 4096));
        Assert.Equal(WalProblemKind.UnknownType, error.Kind);
        Assert.Equal(good.Length, error.RecordOffset);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(2UL)]
    [InlineData(10UL)]
    public void The_first_record_must_be_number_1(ulong first)
    {
        WalFrameException error = Assert.Throws<WalFrameException>(() => Validate(AeroDbWal.Record(0, first, [1]), 4096));
        Assert.Equal(WalProblemKind.SequenceOutOfOrder, error.Kind);
        Assert.Equal(0, error.RecordOffset);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(0UL)]
    [InlineData(3UL)]
    [InlineData(ulong.MaxValue)]
    public void A_sequence_number_that_repeats_goes_back_or_skips_is_refused(ulong second)
    {
        byte[] a = AeroDbWal.Record(0, 1, [1]);
        byte[] b = AeroDbWal.Record(0, second, [2]);
        foreach (int chunk in new[] { 4096, 5 })
        {
            WalFrameException error = Assert.Throws<WalFrameException>(() => Validate([.. a, .. b], chunk));
            Assert.Equal(WalProblemKind.SequenceOutOfOrder, error.Kind);
            Assert.Equal(a.Length, error.RecordOffset);
        }
    }

    [Fact]
    public void A_payload_that_is_not_five_length_prefixed_fields_is_malformed()
    {
        byte[] full = AeroDbWal.Payload("users-collection", "document-0001", "user", "v1", new byte[10]);
        var payloads = new List<byte[]>();
        for (int field = 2; field < 5; field++)
        {
            // Ends before or inside a field's length (earlier cuts leave fewer than 20 payload
            // bytes: then the record is shorter than 37, which is the length's problem).
            for (int into = 0; into < 4; into++)
            {
                payloads.Add(full[..(PrefixOffset(full, field) + into)]);
            }
        }

        for (int field = 0; field < 5; field++)
        {
            payloads.Add(WithLength(full, field, past: 1));
            payloads.Add(WithLength(full, field, past: null)); // 0xffffffff
        }

        byte[] good = AeroDbWal.Record(0, 1, []);
        foreach (byte[] payload in payloads)
        {
            byte[] wal = [.. good, .. AeroDbWal.Frame(1, 2, payload)];
            foreach (int chunk in new[] { 4096, 1, 3 })
            {
                WalFrameException error = Assert.Throws<WalFrameException>(() => Validate(wal, chunk));
                Assert.Equal(WalProblemKind.MalformedPayload, error.Kind);
                Assert.Equal(good.Length, error.RecordOffset);
            }
        }
    }

    [Fact]
    public void Bytes_after_the_five_fields_are_allowed_and_the_body_may_be_any_bytes()
    {
        byte[] payload = [.. AeroDbWal.Payload("users", "doc-1", "user", "v1", [0xff, 0xfe, 0xc0, 0x80]), .. "trailing"u8];
        Assert.Equal(1, Validate(AeroDbWal.Frame(2, 1, payload), 4096).Records);
    }

    [Theory]
    [InlineData("ff")]
    [InlineData("80")]
    [InlineData("c0af")]            // overlong '/'
    [InlineData("e08080")]          // overlong NUL
    [InlineData("eda080")]          // a UTF-16 surrogate
    [InlineData("f4908080")]        // above U+10FFFF
    [InlineData("e282")]            // unfinished at the field's end
    [InlineData("41e2")]
    [InlineData("f09f98")]
    public void A_string_field_that_is_not_utf8_is_refused_in_each_of_the_four_fields(string badHex)
    {
        byte[] bad = Convert.FromHexString(badHex);
        for (int field = 0; field < 4; field++)
        {
            byte[][] strings = ["users"u8.ToArray(), "doc-1"u8.ToArray(), "user"u8.ToArray(), "v1"u8.ToArray()];
            strings[field] = [.. "é"u8, .. bad, .. (field % 2 == 0 ? "x"u8 : ""u8)];
            byte[] wal = [.. AeroDbWal.Record(0, 1, [7]), .. AeroDbWal.Frame(0, 2, RawPayload(strings, [1]))];
            foreach (int chunk in new[] { 4096, 1, 2, 3, 5, 7 })
            {
                WalFrameException error = Assert.Throws<WalFrameException>(() => Validate(wal, chunk));
                Assert.Equal(WalProblemKind.InvalidUtf8, error.Kind);
                Assert.Equal(AeroDbWal.Record(0, 1, [7]).Length, error.RecordOffset);
            }
        }
    }

    [Fact]
    public void Multi_byte_characters_split_at_every_chunk_boundary_are_valid()
    {
        byte[] wal = [.. AeroDbWal.Frame(0, 1, AeroDbWal.Payload("ünïcødé", "日本語-文書", "😀schema😀", "v\u0301", [0xff])), .. AeroDbWal.Record(1, 2, [1])];
        for (int chunk = 1; chunk <= wal.Length; chunk++)
        {
            Assert.Equal(2, Validate(wal, chunk).Records);
        }
    }

    [Fact]
    public void The_in_place_and_the_byte_wise_paths_give_the_same_verdict_kind_and_offset_on_any_damage()
    {
        // Metamorphic: the whole WAL in one chunk takes the in-place path for every whole record;
        // small chunks take the byte-wise path. Damage is random bytes written anywhere, including
        // into string fields (invalid UTF-8) and lengths, with the checksum recomputed or not.
        Gen.Select(Gen.Int[1, 6], Gen.Int[0, 64].Array[1, 6], Gen.Int[1, 40], Gen.Bool, Gen.Int[0, int.MaxValue]).Sample((records, damage, chunk, fixChecksum, seed) =>
        {
            var random = new Random(seed);
            var wal = new MemoryStream();
            var offsets = new List<int>();
            for (int i = 1; i <= records; i++)
            {
                offsets.Add((int)wal.Length);
                byte[] record = AeroDbWal.Frame((byte)(i % 6), (ulong)i, AeroDbWal.Payload("cöll", "doc-€" + i, "schéma", "v1", new byte[random.Next(0, 30)]));
                int target = random.Next(13, record.Length - 4);
                foreach (int value in damage)
                {
                    record[Math.Min(record.Length - 5, target + (value % 5))] = (byte)(value * 37);
                }

                if (fixChecksum)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(record.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(record.AsSpan(0, record.Length - 4)));
                }

                wal.Write(record);
            }

            byte[] bytes = wal.ToArray();
            (bool ok, WalProblemKind? kind, long offset) whole = Outcome(bytes, bytes.Length + 1);
            (bool ok, WalProblemKind? kind, long offset) pieces = Outcome(bytes, chunk);
            Assert.Equal(whole, pieces);
            Assert.Equal(whole.ok, IndependentVerdict(bytes));
        }, iter: 3000);
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

    internal static WalSummary Validate(byte[] wal, int chunk, bool knownLength = false)
    {
        var validator = new WalFrameValidator("test.wal", knownLength ? wal.Length : null);
        for (int offset = 0; offset < wal.Length; offset += chunk)
        {
            validator.Append(wal.AsSpan(offset, Math.Min(chunk, wal.Length - offset)));
        }

        return validator.Complete();
    }

    private static (bool Ok, WalProblemKind? Kind, long Offset) Outcome(byte[] wal, int chunk)
    {
        try
        {
            Validate(wal, chunk, knownLength: true);
            return (true, null, -1);
        }
        catch (WalFrameException error)
        {
            return (false, error.Kind, error.RecordOffset);
        }
    }

    /// <summary>The reader's rules written the slow, obvious way, sharing no code with the validator.</summary>
    private static bool IndependentVerdict(byte[] wal)
    {
        try
        {
            _ = AeroDbWal.ReadAll(wal);
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static int PrefixOffset(byte[] payload, int field)
    {
        int at = 0;
        for (int i = 0; i < field; i++)
        {
            at += 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(at));
        }

        return at;
    }

    /// <summary>The payload with field <paramref name="field"/>'s length <paramref name="past"/> bytes beyond what follows it, or 0xffffffff.</summary>
    private static byte[] WithLength(byte[] payload, int field, int? past)
    {
        byte[] copy = [.. payload];
        int at = PrefixOffset(copy, field);
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), past is { } beyond ? (uint)(copy.Length - at - 4 + beyond) : uint.MaxValue);
        return copy;
    }

    private static byte[] RawPayload(byte[][] strings, byte[] body)
    {
        var payload = new MemoryStream();
        foreach (byte[] field in strings.Append(body))
        {
            payload.Write(BitConverter.GetBytes((uint)field.Length));
            payload.Write(field);
        }

        return payload.ToArray();
    }
}

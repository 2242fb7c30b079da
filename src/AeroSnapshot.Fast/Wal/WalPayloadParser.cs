using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace AeroSnapshot.Fast.Wal;

/// <summary>
/// Checks a WAL record's payload as AeroDB's reader parses it (<c>WalPayload::read_from</c>): five
/// fields, each a u32 little-endian length and that many bytes, in order <c>collection_id</c>,
/// <c>document_id</c>, <c>schema_id</c>, <c>schema_version</c> (those four valid UTF-8, as Rust's
/// <c>String::from_utf8</c> defines it) and <c>document_body</c> (any bytes). Bytes after the fifth
/// field are allowed: the reader never looks at them. The reader applies this to every record type,
/// the MVCC types 3, 4 and 5 included.
/// </summary>
/// <remarks>
/// The payload arrives in pieces of any size, so a length prefix or a UTF-8 sequence may straddle
/// two of them: up to three bytes of an unfinished sequence are carried over, everything else is
/// validated in place (<see cref="Utf8.IsValid(ReadOnlySpan{byte})"/>, vectorized), and nothing is
/// allocated. The first problem is kept, in the reader's order (field by field; a field whose
/// length runs past the payload is found before its bytes are looked at), and later bytes are
/// ignored; the validator reports it only once the checksum and type have passed, as the reader does.
/// </remarks>
internal struct WalPayloadParser
{
    /// <summary>The five length prefixes of five empty fields: the shortest payload.</summary>
    public const int MinimumLength = FieldCount * 4;

    private const int FieldCount = 5;
    private const int StringFieldCount = 4;

    private static readonly string[] FieldNames = ["collection_id", "document_id", "schema_id", "schema_version", "document_body"];

    private int _field;          // the field being read; FieldCount once all are read
    private int _prefixHave;     // bytes of its length prefix read so far
    private uint _prefix;
    private uint _fieldLeft;     // bytes of the field still to come
    private uint _carry;         // an unfinished UTF-8 sequence, little-endian, _carryHave bytes of _carryNeed
    private int _carryHave;
    private int _carryNeed;

    /// <summary>The first problem found, if any.</summary>
    public WalProblemKind? Problem { get; private set; }

    /// <summary>What the problem is, in words.</summary>
    public string? Detail { get; private set; }

    /// <summary>Starts a new record's payload.</summary>
    public void Reset() => this = default;

    /// <summary>True when the whole payload in <paramref name="payload"/> is five well-formed fields; allocates nothing.</summary>
    /// <remarks>
    /// The validator calls this once per record, so it is written for the common case of short
    /// ASCII strings: five length hops in unsigned arithmetic (no overflow: each hop is checked
    /// against what is left), then one ASCII test over everything from the first string to the end
    /// of the fourth (their length prefixes included; a prefix of a string under 128 bytes is ASCII
    /// too). When that holds each string is ASCII and so valid UTF-8; otherwise each string is
    /// checked on its own.
    /// </remarks>
    public static bool IsValid(ReadOnlySpan<byte> payload)
    {
        ref byte start = ref MemoryMarshal.GetReference(payload);
        uint size = (uint)payload.Length;
        uint position = 0;
        if (!Hop(ref start, size, ref position) || !Hop(ref start, size, ref position) || !Hop(ref start, size, ref position) || !Hop(ref start, size, ref position))
        {
            return false;
        }

        uint stringsEnd = position;
        return Hop(ref start, size, ref position)
            && (IsAscii(ref Unsafe.Add(ref start, 4), stringsEnd - 4) || StringsAreUtf8(payload));
    }

    /// <summary>Steps over one length-prefixed field at <paramref name="position"/>; false when its prefix or its bytes run past <paramref name="size"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Hop(ref byte start, uint size, ref uint position)
    {
        if (size - position < 4)
        {
            return false;
        }

        uint length = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, position));
        if (!BitConverter.IsLittleEndian)
        {
            length = BinaryPrimitives.ReverseEndianness(length);
        }

        position += 4;
        if (length > size - position)
        {
            return false;
        }

        position += length;
        return true;
    }

    /// <summary>Whether <paramref name="count"/> bytes are all below 0x80: eight at a time (the last eight overlapping) for short runs, vectorized for long ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsAscii(ref byte start, uint count)
    {
        if (count > 64)
        {
            return Ascii.IsValid(MemoryMarshal.CreateReadOnlySpan(ref start, (int)count));
        }

        if (count >= 8)
        {
            ulong bits = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, count - 8));
            for (uint i = 0; i + 8 <= count; i += 8)
            {
                bits |= Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            }

            return (bits & 0x8080_8080_8080_8080) == 0;
        }

        uint few = 0;
        for (uint i = 0; i < count; i++)
        {
            few |= Unsafe.Add(ref start, i);
        }

        return few < 0x80;
    }

    /// <summary>
    /// Reads the next <paramref name="bytes"/> of the payload; <paramref name="remaining"/> is how
    /// many payload bytes are left counting from the first of them.
    /// </summary>
    public void Append(ReadOnlySpan<byte> bytes, long remaining)
    {
        while (!bytes.IsEmpty && _field < FieldCount && Problem is null)
        {
            if (_prefixHave < 4)
            {
                int take = Math.Min(4 - _prefixHave, bytes.Length);
                for (int i = 0; i < take; i++)
                {
                    _prefix |= (uint)bytes[i] << (8 * _prefixHave++);
                }

                bytes = bytes[take..];
                remaining -= take;
                if (_prefixHave == 4)
                {
                    if (_prefix > remaining)
                    {
                        Fail(WalProblemKind.MalformedPayload, $"its {FieldNames[_field]} field claims {_prefix} bytes but only {remaining} of the payload remain");
                        return;
                    }

                    _fieldLeft = _prefix;
                    if (_fieldLeft == 0)
                    {
                        NextField();
                    }
                }

                continue;
            }

            int inField = (int)Math.Min(_fieldLeft, (uint)bytes.Length);
            if (_field < StringFieldCount)
            {
                CheckUtf8(bytes[..inField], fieldEnds: inField == _fieldLeft);
            }

            bytes = bytes[inField..];
            remaining -= inField;
            _fieldLeft -= (uint)inField;
            if (_fieldLeft == 0 && Problem is null)
            {
                NextField();
            }
        }
    }

    /// <summary>Declares the payload's end: all five fields must have been read.</summary>
    public void Complete()
    {
        if (Problem is null && _field < FieldCount)
        {
            Fail(WalProblemKind.MalformedPayload, _field == 0 && _prefixHave == 0
                ? "its payload is empty; it must hold five length-prefixed fields"
                : $"its payload ends inside the length of its {FieldNames[_field]} field");
        }
    }

    /// <summary>The problem of a whole payload, read in one piece (for messages after <see cref="IsValid"/> said no).</summary>
    public static (WalProblemKind Kind, string Detail) Describe(ReadOnlySpan<byte> payload)
    {
        WalPayloadParser parser = default;
        parser.Append(payload, payload.Length);
        parser.Complete();
        return (parser.Problem ?? WalProblemKind.MalformedPayload, parser.Detail ?? "its payload does not parse");
    }

    private static bool StringsAreUtf8(ReadOnlySpan<byte> payload)
    {
        int position = 0;
        for (int field = 0; field < StringFieldCount; field++)
        {
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[position..]);
            if (!Utf8.IsValid(payload.Slice(position + 4, length)))
            {
                return false;
            }

            position += 4 + length;
        }

        return true;
    }

    private void NextField()
    {
        _field++;
        _prefixHave = 0;
        _prefix = 0;
    }

    /// <summary>Validates a piece of a string field, carrying an unfinished sequence at its end to the next piece.</summary>
    private void CheckUtf8(ReadOnlySpan<byte> piece, bool fieldEnds)
    {
        if (_carryHave > 0)
        {
            int take = Math.Min(_carryNeed - _carryHave, piece.Length);
            for (int i = 0; i < take; i++)
            {
                _carry |= (uint)piece[i] << (8 * _carryHave++);
            }

            piece = piece[take..];
            if (_carryHave < _carryNeed)
            {
                if (fieldEnds)
                {
                    FailUtf8();
                }

                return;
            }

            Span<byte> sequence = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(sequence, _carry);
            _carryHave = 0;
            _carry = 0;
            if (!Utf8.IsValid(sequence[.._carryNeed]))
            {
                FailUtf8();
                return;
            }
        }

        int whole = fieldEnds ? piece.Length : CompleteLength(piece, out _carryNeed);
        if (!Utf8.IsValid(piece[..whole]))
        {
            FailUtf8();
            return;
        }

        for (int i = whole; i < piece.Length; i++)
        {
            _carry |= (uint)piece[i] << (8 * _carryHave++);
        }
    }

    /// <summary>
    /// The length of <paramref name="piece"/> without an unfinished multi-byte sequence at its end
    /// (a lead byte in the last three bytes that announces more bytes than follow it), and the
    /// length that sequence will have. Anything that cannot start a sequence is left in, for
    /// <see cref="Utf8.IsValid(ReadOnlySpan{byte})"/> to refuse.
    /// </summary>
    private static int CompleteLength(ReadOnlySpan<byte> piece, out int sequenceLength)
    {
        sequenceLength = 0;
        for (int i = piece.Length - 1; i >= 0 && i >= piece.Length - 3; i--)
        {
            byte b = piece[i];
            if ((b & 0xC0) == 0x80)
            {
                continue; // a continuation byte: look further back for its lead
            }

            int announced = b switch
            {
                >= 0xC0 and <= 0xDF => 2,
                >= 0xE0 and <= 0xEF => 3,
                >= 0xF0 and <= 0xF4 => 4,
                _ => 1,
            };
            if (piece.Length - i < announced)
            {
                sequenceLength = announced;
                return i;
            }

            break;
        }

        return piece.Length;
    }

    private void FailUtf8() => Fail(WalProblemKind.InvalidUtf8, $"its {FieldNames[_field]} field is not valid UTF-8");

    private void Fail(WalProblemKind kind, string detail)
    {
        Problem = kind;
        Detail = detail;
    }
}

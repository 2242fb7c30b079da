using System.Globalization;
using System.Text;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>CsCheck generators for valid manifests, weighted towards the characters that break writers.</summary>
internal static class ManifestGen
{
    /// <summary>
    /// Unicode scalar values for schema path segments: plain ASCII most of the time, but quotes,
    /// control characters (everything but NUL is legal in a key), DEL, two- and three-byte UTF-8,
    /// the block above the surrogates (where UTF-16 order and code point order disagree) and
    /// emoji outside the Basic Multilingual Plane, each often enough to meet in one path.
    /// </summary>
    public static readonly Gen<int> SegmentCodePoint = Gen.Frequency(
        (10, Gen.Int['a', 'z']),
        (3, Gen.Int['0', '9']),
        (4, Gen.OneOf(Gen.Const((int)'.'), Gen.Const((int)'"'), Gen.Const((int)' '), Gen.Const((int)'-'), Gen.Const((int)'_'), Gen.Const((int)'\''))),
        (2, Gen.Int[1, 0x1F]),
        (1, Gen.Const(0x7F)),
        (2, Gen.Int[0x80, 0x7FF]),
        (2, Gen.Int[0x800, 0xD7FF]),
        (2, Gen.Int[0xE000, 0xFFFF]),
        (2, Gen.Int[0x10000, 0x10FFFF]));

    public static readonly Gen<string> Segment = Gen.Frequency(
            (20, SegmentCodePoint.Array[1, 12]),
            (1, SegmentCodePoint.Array[100, 300]))
        .Select(FromCodePoints)
        .Where(s => s is not ("." or ".."));

    /// <summary>A legal schema key: one to five segments joined by '/'.</summary>
    public static readonly Gen<string> SchemaPath = Segment.Array[1, 5].Select(segments => string.Join('/', segments));

    public static readonly Gen<ChecksumMap> SchemaChecksums =
        Gen.Select(SchemaPath, Gen.UInt).List[0, 24]
            .Select(entries => ChecksumMap.Create(entries
                .DistinctBy(e => e.Item1, StringComparer.Ordinal)
                .Select(e => new ChecksumEntry(e.Item1, new Crc32Checksum(e.Item2)))));

    /// <summary>Any UTC second from year 1 to year 9999.</summary>
    public static readonly Gen<SnapshotId> Id = Gen.Long[0, DateTime.MaxValue.Ticks]
        .Select(ticks => SnapshotId.FromDateTimeOffset(new DateTimeOffset(new DateTime(ticks, DateTimeKind.Utc))));

    public static readonly Gen<SnapshotManifest> Manifest = Gen.Select(
        Id, Gen.UInt, SchemaChecksums, Gen.Bool, Gen.ULong,
        (id, storage, schemas, mvcc, boundary) => new SnapshotManifest
        {
            SnapshotId = id,
            CreatedAt = id.Instant,
            StorageChecksum = new Crc32Checksum(storage),
            SchemaChecksums = schemas,
            FormatVersion = mvcc ? SnapshotManifest.MvccFormatVersion : SnapshotManifest.CurrentFormatVersion,
            CommitBoundary = mvcc ? boundary : null,
        });

    private static string FromCodePoints(int[] codePoints)
    {
        var builder = new StringBuilder(codePoints.Length * 2);
        foreach (int codePoint in codePoints)
        {
            builder.Append(char.ConvertFromUtf32(codePoint));
        }

        return builder.ToString();
    }

    /// <summary>Shows a manifest in failure reports with every character visible.</summary>
    public static string Print(SnapshotManifest manifest)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"id={manifest.SnapshotId} storage={manifest.StorageChecksum} v{manifest.FormatVersion} boundary={manifest.CommitBoundary}");
        foreach (ChecksumEntry entry in manifest.SchemaChecksums)
        {
            builder.Append(" [");
            foreach (Rune rune in entry.Path.EnumerateRunes())
            {
                if (rune.Value is >= 0x20 and < 0x7F)
                {
                    builder.Append(rune.ToString());
                }
                else
                {
                    builder.Append("\\u{").Append(rune.Value.ToString("x", CultureInfo.InvariantCulture)).Append('}');
                }
            }

            builder.Append(CultureInfo.InvariantCulture, $"]={entry.Checksum}");
        }

        return builder.ToString();
    }
}

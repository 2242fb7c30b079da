using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>
/// Issue #17, "independent oracles": the manifest's bytes compared with Python's
/// <c>json.dumps(obj, indent=2, ensure_ascii=False)</c>, which writes these documents (objects of
/// strings and integers) exactly as serde_json's <c>to_string_pretty</c> does: two-space indent,
/// <c>": "</c>, <c>{}</c> for an empty object, only <c>"</c>, <c>\</c> and C0 controls escaped
/// (<c>\n \t \r \b \f</c>, else <c>\u00xx</c> lowercase), everything else raw UTF-8. The other
/// byte-format test compares with a C# model written beside it; this one shares nothing with
/// either. All cases of a test go to one python3 process, so a few hundred cases cost one start.
/// </summary>
public sealed class PythonJsonOracleTests
{
    private const long Iterations = 300;

    /// <summary>Code points for strings the general writer is given: backslash and NUL included (schema keys may hold neither).</summary>
    private static readonly Gen<int> AnyCodePoint = Gen.Frequency(
        (6, Gen.Int['a', 'z']),
        (4, Gen.OneOf(Gen.Const((int)'\\'), Gen.Const((int)'"'), Gen.Const((int)'/'), Gen.Const(0x7F), Gen.Const((int)' '))),
        (4, Gen.Int[0, 0x1F]),
        (2, Gen.Int[0x80, 0x7FF]),
        (2, Gen.Int[0x800, 0xD7FF]),
        (2, Gen.Int[0xE000, 0xFFFF]),
        (3, Gen.Int[0x10000, 0x10FFFF]));

    private static readonly Gen<string> AnyString = AnyCodePoint.Array[0, 16].Select(FromCodePoints);

    private static readonly Gen<Node> Leaf = Gen.OneOf(
        AnyString.Select(static s => (Node)new Text(s)),
        Gen.Long.Select(static n => (Node)new Integer(n.ToString(CultureInfo.InvariantCulture))),
        Gen.ULong.Select(static n => (Node)new Integer(n.ToString(CultureInfo.InvariantCulture))),
        Gen.Bool.Select(static b => (Node)new Flag(b)));

    private static readonly Gen<Obj> Document = Gen.Recursive<Obj>((depth, obj) => Gen.Select(AnyString, depth < 3 ? Gen.Frequency((4, Leaf), (1, obj.Select(static o => (Node)o))) : Leaf).List[0, 6]
        .Select(static members => new Obj([.. members.DistinctBy(static m => m.Item1, StringComparer.Ordinal)])));

    [NeedsProgramsFact("python3")]
    public void Manifest_bytes_equal_python_json_dumps_indent_2_for_generated_manifests()
    {
        List<SnapshotManifest> manifests = ManifestGen.Manifest.Array[(int)Iterations].Single().ToList();
        manifests.Add(EveryControlCharacterManifest());
        List<Obj> documents = manifests.Select(ToDocument).ToList();

        List<byte[]> expected = PythonDumps(documents);

        for (int i = 0; i < manifests.Count; i++)
        {
            byte[] actual = Samples.Write(manifests[i]);
            Assert.True(actual.AsSpan().SequenceEqual(expected[i]), $"case {i}: {ManifestGen.Print(manifests[i])}\npython: {Visible(expected[i])}\nours:   {Visible(actual)}");
        }
    }

    [NeedsProgramsFact("python3")]
    public void The_pretty_writer_escapes_backslash_quotes_every_C0_control_and_astral_characters_as_python_json_dumps_does()
    {
        List<Obj> documents = Document.Array[(int)Iterations].Single().ToList();
        documents.Add(EveryControlCharacterDocument());
        documents.Add(new Obj([]));

        List<byte[]> expected = PythonDumps(documents);

        for (int i = 0; i < documents.Count; i++)
        {
            byte[] actual = WriteWithPrettyWriter(documents[i]);
            Assert.True(actual.AsSpan().SequenceEqual(expected[i]), $"case {i}\npython: {Visible(expected[i])}\nours:   {Visible(actual)}");
        }
    }

    /// <summary>A manifest whose keys hold every C0 control a schema key may hold (all but NUL), each alone and all together, with quotes and astral characters.</summary>
    private static SnapshotManifest EveryControlCharacterManifest()
    {
        var entries = Enumerable.Range(1, 0x1F).Select(c => new ChecksumEntry($"c{(char)c}x", new Crc32Checksum((uint)c))).ToList();
        entries.Add(new ChecksumEntry(string.Concat(Enumerable.Range(1, 0x1F).Select(c => (char)c)) + "\"\U0001F600/\U0010FFFF\u007F", new Crc32Checksum(0xFFFFFFFF)));
        SnapshotId id = SnapshotId.FromDateTimeOffset(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        return SnapshotManifest.Create(id, new Crc32Checksum(0x1234ABCD), ChecksumMap.Create(entries));
    }

    private static Obj EveryControlCharacterDocument()
    {
        var members = Enumerable.Range(0, 0x20).Select(c => ($"k{(char)c}", (Node)new Text($"v{(char)c}\\\""))).ToList();
        members.Add(("\\\"\u0000\U0001F600", new Text(string.Concat(Enumerable.Range(0, 0x20).Select(c => (char)c)))));
        return new Obj(members);
    }

    /// <summary>The manifest as the object python is given, in the contract's key order.</summary>
    private static Obj ToDocument(SnapshotManifest manifest)
    {
        var members = new List<(string, Node)>
        {
            ("snapshot_id", new Text(manifest.SnapshotId.ToString())),
            ("created_at", new Text(manifest.CreatedAt.ToString())),
            ("storage_checksum", new Text(manifest.StorageChecksum.ToString())),
            ("schema_checksums", new Obj([.. manifest.SchemaChecksums.Select(static e => (e.Path, (Node)new Text(e.Checksum.ToString())))])),
            ("format_version", new Integer(manifest.FormatVersion.ToString(CultureInfo.InvariantCulture))),
        };
        if (manifest.CommitBoundary is { } boundary)
        {
            members.Add(("commit_boundary", new Integer(boundary.ToString(CultureInfo.InvariantCulture))));
        }

        return new Obj(members);
    }

    private static byte[] WriteWithPrettyWriter(Obj document)
    {
        byte[] buffer = new byte[1 << 16];
        var writer = new JsonPrettyWriter(buffer);
        Write(ref writer, document);
        Assert.True(writer.Fits);
        return buffer[..writer.BytesNeeded];
    }

    private static void Write(ref JsonPrettyWriter writer, Obj obj)
    {
        writer.WriteStartObject();
        foreach ((string name, Node value) in obj.Members)
        {
            writer.WritePropertyName(name);
            switch (value)
            {
                case Text text:
                    writer.WriteValue(text.Value);
                    break;
                case Integer integer when integer.Digits.StartsWith('-'):
                    writer.WriteValue(long.Parse(integer.Digits, CultureInfo.InvariantCulture));
                    break;
                case Integer integer:
                    writer.WriteValue(ulong.Parse(integer.Digits, CultureInfo.InvariantCulture));
                    break;
                case Flag flag:
                    writer.WriteValue(flag.Value);
                    break;
                case Obj nested:
                    Write(ref writer, nested);
                    break;
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Runs python3 once for every document: each goes in as one line of System.Text.Json (objects
    /// as lists of [key, value] pairs, so python builds its dicts in our order), each comes back as
    /// the base64 of <c>json.dumps(obj, indent=2, ensure_ascii=False).encode("utf-8")</c>.
    /// </summary>
    private static List<byte[]> PythonDumps(List<Obj> documents)
    {
        const string Script = """
            import base64, json, sys
            def build(x):
                if isinstance(x, dict):
                    if "o" in x:
                        return {k: build(v) for k, v in x["o"]}
                    if "i" in x:
                        return int(x["i"])
                return x
            for line in sys.stdin:
                obj = build(json.loads(line))
                sys.stdout.write(base64.b64encode(json.dumps(obj, indent=2, ensure_ascii=False).encode("utf-8")).decode("ascii") + "\n")
            """;
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        using Process python = ExternalCommand.Start(start);
        Task<string> output = python.StandardOutput.ReadToEndAsync();
        Task<string> errors = python.StandardError.ReadToEndAsync();
        foreach (Obj document in documents)
        {
            python.StandardInput.Write(ToInputLine(document));
            python.StandardInput.Write('\n');
        }

        python.StandardInput.Close();
        Assert.True(python.WaitForExit(60_000), "python3 did not finish within a minute");
        Assert.True(python.ExitCode == 0, $"python3 failed: {errors.Result}");
        string[] lines = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(documents.Count, lines.Length);
        return lines.Select(Convert.FromBase64String).ToList();
    }

    private static string ToInputLine(Obj document)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            WriteInput(json, document);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteInput(Utf8JsonWriter json, Node node)
    {
        switch (node)
        {
            case Text text:
                json.WriteStringValue(text.Value);
                break;
            case Integer integer:
                json.WriteStartObject();
                json.WriteString("i", integer.Digits);
                json.WriteEndObject();
                break;
            case Flag flag:
                json.WriteBooleanValue(flag.Value);
                break;
            case Obj obj:
                json.WriteStartObject();
                json.WriteStartArray("o");
                foreach ((string name, Node value) in obj.Members)
                {
                    json.WriteStartArray();
                    json.WriteStringValue(name);
                    WriteInput(json, value);
                    json.WriteEndArray();
                }

                json.WriteEndArray();
                json.WriteEndObject();
                break;
        }
    }

    private static string FromCodePoints(int[] codePoints)
    {
        var builder = new StringBuilder(codePoints.Length * 2);
        foreach (int codePoint in codePoints)
        {
            builder.Append(char.ConvertFromUtf32(codePoint));
        }

        return builder.ToString();
    }

    private static string Visible(byte[] utf8)
        => string.Concat(Encoding.UTF8.GetString(utf8).EnumerateRunes().Select(static r => r.Value is >= 0x20 and < 0x7F ? r.ToString() : $"\\u{{{r.Value:x}}}"));

    private abstract record Node;

    private sealed record Text(string Value) : Node;

    private sealed record Integer(string Digits) : Node;

    private sealed record Flag(bool Value) : Node;

    private sealed record Obj(List<(string Name, Node Value)> Members) : Node;
}

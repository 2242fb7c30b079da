using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace AeroSnapshot.TestSupport.Oracle;

/// <summary>
/// The bytes a snapshot of some sources must hold: <c>storage.dat</c> and every file and directory
/// of the schema tree, read from the sources at the moment the snapshot was taken.
/// </summary>
public sealed class ExpectedContent
{
    private ExpectedContent(byte[] storage, SortedDictionary<string, byte[]> schemaFiles, SortedSet<string> schemaDirectories)
    {
        Storage = storage;
        SchemaFiles = schemaFiles;
        SchemaDirectories = schemaDirectories;
    }

    public byte[] Storage { get; }

    /// <summary>Schema files by path relative to the schema root, with '/' separators.</summary>
    public IReadOnlyDictionary<string, byte[]> SchemaFiles { get; }

    /// <summary>Every directory of the schema tree (empty ones included), relative, with '/'.</summary>
    public IReadOnlySet<string> SchemaDirectories { get; }

    /// <summary>Reads <paramref name="storagePath"/> and the tree under <paramref name="schemaDirectory"/> (missing: empty).</summary>
    public static ExpectedContent Read(string storagePath, string schemaDirectory)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var directories = new SortedSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(schemaDirectory))
        {
            foreach (string file in Directory.EnumerateFiles(schemaDirectory, "*", SearchOption.AllDirectories))
            {
                files[Relative(schemaDirectory, file)] = File.ReadAllBytes(file);
            }

            foreach (string directory in Directory.EnumerateDirectories(schemaDirectory, "*", SearchOption.AllDirectories))
            {
                directories.Add(Relative(schemaDirectory, directory));
            }
        }

        return new ExpectedContent(File.ReadAllBytes(storagePath), files, directories);
    }

    /// <summary>Puts these contents back at <paramref name="storagePath"/> and under <paramref name="schemaDirectory"/> (replacing the whole tree).</summary>
    public void WriteTo(string storagePath, string schemaDirectory)
    {
        File.WriteAllBytes(storagePath, Storage);
        if (Directory.Exists(schemaDirectory))
        {
            Directory.Delete(schemaDirectory, recursive: true);
        }

        Directory.CreateDirectory(schemaDirectory);
        foreach (string directory in SchemaDirectories)
        {
            Directory.CreateDirectory(Path.Join(schemaDirectory, directory));
        }

        foreach ((string relative, byte[] bytes) in SchemaFiles)
        {
            File.WriteAllBytes(Path.Join(schemaDirectory, relative), bytes);
        }
    }

    internal static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}

/// <summary>
/// Judges a snapshot directory with nothing of the library: System.IO.Hashing's CRC-32 over the
/// files, System.Text.Json for the manifest, the DESIGN.md contract written out again here, and
/// (when given) the source bytes the snapshot must hold. It shares no code with AeroSnapshot.Fast
/// on purpose: a bug in the library's writer, reader or verifier that makes them agree with each
/// other cannot make this agree too. Every problem is returned as a sentence; none means valid.
/// </summary>
public static class IndependentSnapshotOracle
{
    private static readonly string[] ManifestKeys = ["snapshot_id", "created_at", "storage_checksum", "schema_checksums", "format_version"];

    /// <summary>
    /// The problems of the snapshot at <paramref name="snapshotDirectory"/>: its layout, its
    /// manifest against the contract and against CRC-32s computed here, and, with
    /// <paramref name="expected"/>, its files against the source bytes.
    /// </summary>
    public static List<string> Judge(string snapshotDirectory, ExpectedContent? expected = null)
    {
        var problems = new List<string>();
        string name = Path.GetFileName(snapshotDirectory);
        if (!DateTime.TryParseExact(name, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime instant))
        {
            problems.Add($"{snapshotDirectory}: the directory name is not a snapshot id (YYYYMMDDTHHMMSSZ)");
            return problems;
        }

        var top = new DirectoryInfo(snapshotDirectory).EnumerateFileSystemInfos().Select(static e => e.Name).Order(StringComparer.Ordinal).ToList();
        if (!top.SequenceEqual(["manifest.json", "schemas", "storage.dat"], StringComparer.Ordinal))
        {
            problems.Add($"{snapshotDirectory}: holds [{string.Join(", ", top)}], expected exactly manifest.json, schemas/, storage.dat");
        }

        string storage = Path.Join(snapshotDirectory, "storage.dat");
        string schemas = Path.Join(snapshotDirectory, "schemas");
        string manifestPath = Path.Join(snapshotDirectory, "manifest.json");
        foreach ((string path, bool directory) in new[] { (storage, false), (schemas, true), (manifestPath, false) })
        {
            var info = new FileInfo(path);
            if (info.Exists == directory || (directory && !Directory.Exists(path)) || info.LinkTarget is not null || new DirectoryInfo(path).LinkTarget is not null)
            {
                problems.Add($"{path}: expected a {(directory ? "directory" : "regular file")}, not a link or anything else");
            }
        }

        if (problems.Count > 0)
        {
            return problems;
        }

        byte[] storageBytes = File.ReadAllBytes(storage);
        var files = Directory.EnumerateFiles(schemas, "*", SearchOption.AllDirectories)
            .ToDictionary(f => ExpectedContent.Relative(schemas, f), File.ReadAllBytes, StringComparer.Ordinal);
        JudgeManifest(manifestPath, name, instant, storageBytes, files, problems);

        if (expected is not null)
        {
            if (!storageBytes.AsSpan().SequenceEqual(expected.Storage))
            {
                problems.Add($"{storage}: {storageBytes.Length} bytes that differ from the source's {expected.Storage.Length} (first difference at {FirstDifference(storageBytes, expected.Storage)})");
            }

            JudgeTree(schemas, files, expected, problems);
        }

        return problems;
    }

    /// <summary>
    /// The problems of a data directory restored from a snapshot holding <paramref name="expected"/>:
    /// <c>storage.dat</c> and <c>metadata/schemas/</c> must be exactly the snapshot's bytes and tree.
    /// </summary>
    public static List<string> JudgeRestored(string dataDirectory, ExpectedContent expected)
    {
        var problems = new List<string>();
        string storage = Path.Join(dataDirectory, "storage.dat");
        byte[] storageBytes = File.Exists(storage) ? File.ReadAllBytes(storage) : [];
        if (!File.Exists(storage) || !storageBytes.AsSpan().SequenceEqual(expected.Storage))
        {
            problems.Add($"{storage}: not the snapshot's {expected.Storage.Length} bytes");
        }

        string schemas = Path.Join(dataDirectory, "metadata", "schemas");
        var files = Directory.Exists(schemas)
            ? Directory.EnumerateFiles(schemas, "*", SearchOption.AllDirectories).ToDictionary(f => ExpectedContent.Relative(schemas, f), File.ReadAllBytes, StringComparer.Ordinal)
            : [];
        JudgeTree(schemas, files, expected, problems);
        return problems;
    }

    /// <summary>The snapshot's own content as <see cref="ExpectedContent"/> (to judge a restore of it).</summary>
    public static ExpectedContent ContentOf(string snapshotDirectory)
        => ExpectedContent.Read(Path.Join(snapshotDirectory, "storage.dat"), Path.Join(snapshotDirectory, "schemas"));

    /// <summary>"crc32:" and the 8 lowercase hex digits of the IEEE CRC-32, as DESIGN.md specifies.</summary>
    public static string Checksum(ReadOnlySpan<byte> bytes)
        => "crc32:" + Crc32.HashToUInt32(bytes).ToString("x8", CultureInfo.InvariantCulture);

    private static void JudgeManifest(string path, string id, DateTime instant, byte[] storage, Dictionary<string, byte[]> files, List<string> problems)
    {
        byte[] bytes = File.ReadAllBytes(path);
        JsonDocument document;
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            problems.Add($"{path}: not valid UTF-8 JSON: {ex.Message}");
            return;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{path}: the root is {root.ValueKind}, not an object");
                return;
            }

            var keys = root.EnumerateObject().Select(static p => p.Name).ToList();
            if (!keys.SequenceEqual(ManifestKeys, StringComparer.Ordinal))
            {
                problems.Add($"{path}: keys [{string.Join(", ", keys)}], expected exactly [{string.Join(", ", ManifestKeys)}] in that order");
                return;
            }

            Expect(path, "snapshot_id", root, id, problems);
            Expect(path, "created_at", root, instant.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), problems);
            Expect(path, "storage_checksum", root, Checksum(storage), problems);
            JsonElement version = root.GetProperty("format_version");
            if (version.ValueKind != JsonValueKind.Number || version.GetRawText() != "1")
            {
                problems.Add($"{path}: format_version is {version.GetRawText()}, expected 1");
            }

            JsonElement map = root.GetProperty("schema_checksums");
            if (map.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{path}: schema_checksums is {map.ValueKind}, not an object");
                return;
            }

            var names = map.EnumerateObject().Select(static p => p.Name).ToList();
            if (!names.SequenceEqual(names.Order(StringComparer.Ordinal), StringComparer.Ordinal) || names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            {
                problems.Add($"{path}: schema_checksums keys are not unique and in ordinal order: [{string.Join(", ", names)}]");
            }

            var missing = files.Keys.Except(names, StringComparer.Ordinal).ToList();
            var extra = names.Except(files.Keys, StringComparer.Ordinal).ToList();
            if (missing.Count + extra.Count > 0)
            {
                problems.Add($"{path}: schema_checksums lacks [{string.Join(", ", missing)}] and lists files that are not there [{string.Join(", ", extra)}]");
            }

            foreach (JsonProperty entry in map.EnumerateObject())
            {
                if (files.TryGetValue(entry.Name, out byte[]? content) && (entry.Value.ValueKind != JsonValueKind.String || entry.Value.GetString() != Checksum(content)))
                {
                    problems.Add($"{path}: schema_checksums[\"{entry.Name}\"] is {entry.Value.GetRawText()}, the file's CRC-32 is {Checksum(content)}");
                }
            }
        }
    }

    private static void Expect(string path, string key, JsonElement root, string expected, List<string> problems)
    {
        JsonElement value = root.GetProperty(key);
        if (value.ValueKind != JsonValueKind.String || value.GetString() != expected)
        {
            problems.Add($"{path}: {key} is {value.GetRawText()}, expected \"{expected}\"");
        }
    }

    private static void JudgeTree(string root, Dictionary<string, byte[]> files, ExpectedContent expected, List<string> problems)
    {
        var missing = expected.SchemaFiles.Keys.Except(files.Keys, StringComparer.Ordinal).ToList();
        var extra = files.Keys.Except(expected.SchemaFiles.Keys, StringComparer.Ordinal).ToList();
        if (missing.Count + extra.Count > 0)
        {
            problems.Add($"{root}: lacks [{string.Join(", ", missing)}], has files the source has not [{string.Join(", ", extra)}]");
        }

        foreach ((string relative, byte[] content) in files)
        {
            if (expected.SchemaFiles.TryGetValue(relative, out byte[]? source) && !content.AsSpan().SequenceEqual(source))
            {
                problems.Add($"{root}/{relative}: differs from the source ({content.Length} bytes, the source {source.Length})");
            }
        }

        var directories = Directory.Exists(root)
            ? Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Select(d => ExpectedContent.Relative(root, d)).ToHashSet(StringComparer.Ordinal)
            : [];
        if (!directories.SetEquals(expected.SchemaDirectories))
        {
            problems.Add($"{root}: directories [{string.Join(", ", directories.Order(StringComparer.Ordinal))}], the source's [{string.Join(", ", expected.SchemaDirectories)}]");
        }
    }

    private static long FirstDifference(byte[] a, byte[] b)
    {
        int common = Math.Min(a.Length, b.Length);
        int i = a.AsSpan(0, common).CommonPrefixLength(b.AsSpan(0, common));
        return i;
    }
}

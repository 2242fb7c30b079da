using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace AeroSnapshot.TestSupport.Oracle;

/// <summary>
/// Writes a snapshot the way AeroDB's Rust reference (<c>src/snapshot/creator.rs</c>) does, so the
/// compatibility with what it leaves on disk cannot rot. What it reproduces, point by point:
/// <list type="bullet">
/// <item>two clock readings: <c>snapshot_id</c> from the first, <c>created_at</c> from the second,
/// which may be a second or more later (<paramref name="createdAtDelay"/>);</item>
/// <item>the snapshot directory is created under its final name and written in place (no staging);</item>
/// <item>the schema tree is copied recursively (files and directories), an empty <c>schemas/</c> when
/// the source has none, but only the files directly in <c>schemas/</c> are checksummed, keyed by
/// bare file name, and written in <c>HashMap</c> order, that is an arbitrary one (shuffled here);</item>
/// <item>files are left writable (0644, <c>File::create</c> under a 022 umask);</item>
/// <item><c>serde_json::to_string_pretty</c> of the struct: fields in declaration order,
/// <c>format_version</c> 1, or 2 with <c>commit_boundary</c> for the MVCC variant.</item>
/// </list>
/// It shares no code with the library (System.IO.Hashing for the CRC, its own JSON text).
/// </summary>
public static class ReferenceSnapshotWriter
{
    private const UnixFileMode Writable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes <c>&lt;dataDirectory&gt;/snapshots/&lt;id&gt;</c> from the data directory's storage and schemas; returns its path.</summary>
    /// <param name="dataDirectory">The data directory (<c>storage.dat</c>, <c>metadata/schemas</c>).</param>
    /// <param name="idInstant">The first clock reading (the id).</param>
    /// <param name="createdAtDelay">How much later the second reading (<c>created_at</c>) was.</param>
    /// <param name="commitBoundary">The MVCC variant's boundary (format_version 2), or null.</param>
    /// <param name="shuffleSeed">Seed for the HashMap-like key order.</param>
    public static string Write(string dataDirectory, DateTimeOffset idInstant, TimeSpan createdAtDelay, ulong? commitBoundary = null, int shuffleSeed = 1)
    {
        string id = idInstant.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string createdAt = (idInstant + createdAtDelay).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string snapshot = Path.Join(dataDirectory, "snapshots", id);
        Directory.CreateDirectory(snapshot);

        CopyFile(Path.Join(dataDirectory, "storage.dat"), Path.Join(snapshot, "storage.dat"));
        string sourceSchemas = Path.Join(dataDirectory, "metadata", "schemas");
        string schemas = Path.Join(snapshot, "schemas");
        if (Directory.Exists(sourceSchemas))
        {
            CopyTree(sourceSchemas, schemas);
        }
        else
        {
            Directory.CreateDirectory(schemas);
        }

        // compute_schema_checksums: read_dir of schemas/ only, regular files, bare names.
        var checksums = Directory.EnumerateFiles(schemas)
            .Select(path => (Name: Path.GetFileName(path), Checksum: ChecksumOf(path)))
            .ToList();
        var random = new Random(shuffleSeed);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(checksums));

        var json = new StringBuilder();
        json.Append("{\n");
        json.Append("  \"snapshot_id\": ").Append(Quote(id)).Append(",\n");
        json.Append("  \"created_at\": ").Append(Quote(createdAt)).Append(",\n");
        json.Append("  \"storage_checksum\": ").Append(Quote(ChecksumOf(Path.Join(snapshot, "storage.dat")))).Append(",\n");
        if (checksums.Count == 0)
        {
            json.Append("  \"schema_checksums\": {},\n");
        }
        else
        {
            json.Append("  \"schema_checksums\": {\n");
            json.Append(string.Join(",\n", checksums.Select(c => "    " + Quote(c.Name) + ": " + Quote(c.Checksum))));
            json.Append("\n  },\n");
        }

        json.Append("  \"format_version\": ").Append(commitBoundary is null ? "1" : "2");
        if (commitBoundary is { } boundary)
        {
            json.Append(",\n  \"commit_boundary\": ").Append(boundary.ToString(CultureInfo.InvariantCulture));
        }

        json.Append("\n}");
        string manifest = Path.Join(snapshot, "manifest.json");
        File.WriteAllText(manifest, json.ToString(), new UTF8Encoding(false));
        File.SetUnixFileMode(manifest, Writable);
        return snapshot;
    }

    private static void CopyTree(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string entry in Directory.EnumerateFileSystemEntries(source))
        {
            string target = Path.Join(destination, Path.GetFileName(entry));
            if (Directory.Exists(entry))
            {
                CopyTree(entry, target);
            }
            else if (File.Exists(entry))
            {
                CopyFile(entry, target);
            }
        }
    }

    private static void CopyFile(string source, string destination)
    {
        File.Copy(source, destination);
        File.SetUnixFileMode(destination, Writable);
    }

    private static string ChecksumOf(string path)
        => "crc32:" + Crc32.HashToUInt32(File.ReadAllBytes(path)).ToString("x8", CultureInfo.InvariantCulture);

    // serde_json escapes only the quote, the backslash and control characters.
    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (char c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                '\b' => "\\b",
                '\f' => "\\f",
                < ' ' => "\\u00" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}

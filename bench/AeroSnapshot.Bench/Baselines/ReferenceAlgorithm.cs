using System.IO.Hashing;
using System.Text;

namespace AeroSnapshot.Bench.Baselines;

/// <summary>
/// What the reference implementation does, in C#: an 8 KiB read/write copy per file, one fsync
/// per file as it is written, then a second pass that re-reads every copy to checksum it.
/// </summary>
internal static class ReferenceAlgorithm
{
    private const int BufferSize = 8 * 1024;

    public static void CreateSnapshot(string storagePath, string schemaDirectory, string snapshotDirectory)
    {
        Directory.CreateDirectory(Path.Join(snapshotDirectory, "schemas"));
        var copies = new List<string>();
        string storageCopy = Path.Join(snapshotDirectory, "storage.dat");
        CopyAndSync(storagePath, storageCopy);
        copies.Add(storageCopy);
        if (Directory.Exists(schemaDirectory))
        {
            foreach (string schema in Directory.EnumerateFiles(schemaDirectory, "*", SearchOption.AllDirectories))
            {
                string copy = Path.Join(snapshotDirectory, "schemas", Path.GetRelativePath(schemaDirectory, schema));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                CopyAndSync(schema, copy);
                copies.Add(copy);
            }
        }

        var manifest = new StringBuilder("{\n");
        foreach (string copy in copies)
        {
            manifest.Append("  \"").Append(Path.GetRelativePath(snapshotDirectory, copy)).Append("\": \"crc32:")
                .Append(ChecksumByRereading(copy).ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).Append("\",\n");
        }

        manifest.Append("}\n");
        using (var stream = new FileStream(Path.Join(snapshotDirectory, "manifest.json"), FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
        {
            stream.Write(Encoding.UTF8.GetBytes(manifest.ToString()));
            stream.Flush(flushToDisk: true);
        }
    }

    private static void CopyAndSync(string source, string destination)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        byte[] buffer = new byte[BufferSize];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        output.Flush(flushToDisk: true);
    }

    public static uint ChecksumByRereading(string path)
    {
        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        var crc = new Crc32();
        byte[] buffer = new byte[BufferSize];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            crc.Append(buffer.AsSpan(0, read));
        }

        return crc.GetCurrentHashAsUInt32();
    }
}

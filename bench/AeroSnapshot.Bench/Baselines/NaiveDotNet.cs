using System.IO.Hashing;

namespace AeroSnapshot.Bench.Baselines;

/// <summary>
/// What a .NET developer would write first: <c>File.Copy</c>, then <c>Crc32.Append(Stream)</c>
/// over the copy, then <c>FileStream.Flush(true)</c> (which, on Linux, also ignores fsync errors).
/// </summary>
internal static class NaiveDotNet
{
    public static void CreateSnapshot(string storagePath, string schemaDirectory, string snapshotDirectory)
    {
        Directory.CreateDirectory(Path.Join(snapshotDirectory, "schemas"));
        CopyChecksumFlush(storagePath, Path.Join(snapshotDirectory, "storage.dat"));
        if (Directory.Exists(schemaDirectory))
        {
            foreach (string schema in Directory.EnumerateFiles(schemaDirectory, "*", SearchOption.AllDirectories))
            {
                string copy = Path.Join(snapshotDirectory, "schemas", Path.GetRelativePath(schemaDirectory, schema));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                CopyChecksumFlush(schema, copy);
            }
        }

        File.WriteAllText(Path.Join(snapshotDirectory, "manifest.json"), "{}");
    }

    private static uint CopyChecksumFlush(string source, string destination)
    {
        File.Copy(source, destination);
        using var copy = new FileStream(destination, FileMode.Open, FileAccess.ReadWrite);
        var crc = new Crc32();
        crc.Append(copy);
        copy.Flush(flushToDisk: true);
        return crc.GetCurrentHashAsUInt32();
    }
}

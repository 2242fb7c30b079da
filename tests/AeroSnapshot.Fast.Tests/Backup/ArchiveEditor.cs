using System.Formats.Tar;

namespace AeroSnapshot.Fast.Tests.Backup;

/// <summary>Rewrites a backup archive entry by entry, so a test can make it hostile in one precise way.</summary>
internal static class ArchiveEditor
{
    public sealed record Item(string Name, TarEntryType Type, byte[] Data, string? LinkName = null, TarEntryFormat Format = TarEntryFormat.Gnu, Dictionary<string, string>? Pax = null);

    public static List<Item> Read(string archive)
        => BackupTests.ReadAll(archive).Select(static e => new Item(e.Name, e.Type, e.Data)).ToList();

    public static void Write(string archive, IEnumerable<Item> items)
    {
        using FileStream stream = File.Create(archive);
        using var writer = new TarWriter(stream, TarEntryFormat.Gnu, leaveOpen: true);
        foreach (Item item in items)
        {
            TarEntry entry = item.Format switch
            {
                TarEntryFormat.Pax => new PaxTarEntry(item.Type, item.Name, item.Pax ?? []),
                TarEntryFormat.Ustar => new UstarTarEntry(item.Type, item.Name),
                _ => new GnuTarEntry(item.Type, item.Name),
            };
            if (item.LinkName is not null)
            {
                entry.LinkName = item.LinkName;
            }

            if (item.Type is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
            {
                entry.DataStream = new MemoryStream(item.Data);
            }

            writer.WriteEntry(entry);
        }
    }
}

using System.Text;
using AeroSnapshot.Fast.IO;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Restoring;

/// <summary>
/// The restore intent marker: written, fsynced, into the new directory before any entry of the
/// target is moved into it, and listing exactly the entries that will be moved. Where it is found
/// after a crash tells recovery what happened:
/// <list type="bullet">
/// <item>in the new directory beside the target: the swap did not happen; the listed entries that
/// were moved are moved back, and the new directory is deleted (the target is as it was);</item>
/// <item>in the target: the swap happened and was made durable; the old data beside it is deleted
/// and the marker removed (the restore is complete).</item>
/// </list>
/// </summary>
/// <remarks>
/// Line-based text, so an operator can read it: a header, the snapshot id, one line per moved
/// entry with its name as hexadecimal bytes (a name need not be UTF-8), and <c>end</c>. It is
/// written under a temporary name and renamed into place, so a marker under its real name is
/// always complete.
/// </remarks>
/// <param name="Id">The snapshot being restored.</param>
/// <param name="TopLevel">Raw names of the target's entries moved into the new directory.</param>
/// <param name="InMetadata">Raw names of entries of the target's <c>metadata/</c> moved into the new <c>metadata/</c>.</param>
internal sealed record RestoreIntent(SnapshotId Id, IReadOnlyList<byte[]> TopLevel, IReadOnlyList<byte[]> InMetadata)
{
    /// <summary>The marker's name; it is never an entry the restore itself moves or writes otherwise.</summary>
    public const string FileName = ".aerosnap-restore-intent";

    private const string TemporaryName = FileName + ".tmp";
    private const string Header = "aerosnap-restore-intent 1";
    private const int MaxLength = 16 * 1024 * 1024;

    /// <summary>Writes the marker into <paramref name="directory"/> and makes it durable there.</summary>
    public void WriteDurably(DirectoryHandle directory)
    {
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append("snapshot ").Append(Id.ToString()).Append('\n');
        foreach (byte[] name in TopLevel)
        {
            text.Append("top ").Append(Convert.ToHexStringLower(name)).Append('\n');
        }

        foreach (byte[] name in InMetadata)
        {
            text.Append("metadata ").Append(Convert.ToHexStringLower(name)).Append('\n');
        }

        text.Append("end\n");
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());

        string temporary = directory.ChildPath(TemporaryName);
        string final = directory.ChildPath(FileName);
        using (SafeFileHandle handle = NativeFile.CreateNew(temporary, FileModes.PrivateFile))
        {
            PositionalIO.WriteAll(handle, temporary, bytes, 0);

            NativeFile.Sync(handle, temporary, dataOnly: true);
        }

        if (!AtomicRename.TryNoReplace(temporary, final, isDirectory: false))
        {
            throw new NativeIOException("renameat2", final, Errno.EEXIST, "a restore intent is already there");
        }

        directory.Sync();
    }

    /// <summary>True when <paramref name="directory"/> holds a marker (complete or not).</summary>
    public static bool ExistsIn(string directory) => NativeFile.TryStatus(Path.Join(directory, FileName)) is not null;

    /// <summary>Reads the marker in <paramref name="directory"/>; null when there is none.</summary>
    /// <exception cref="SnapshotException">The marker is there but is not one this library wrote.</exception>
    public static RestoreIntent? TryRead(string directory)
    {
        string path = Path.Join(directory, FileName);
        if (NativeFile.TryStatus(path) is null)
        {
            return null;
        }

        SafeFileHandle handle = NativeFile.OpenRegularForRead(path, out FileStatus status);
        byte[] bytes;
        using (handle)
        {
            if (status.Size > MaxLength)
            {
                throw Unrecognized(path, $"it is {status.Size} bytes");
            }

            bytes = new byte[status.Size];
            int filled = PositionalIO.ReadFull(handle, path, bytes, 0);

            if (filled != bytes.Length)
            {
                throw Unrecognized(path, "it changed size while it was read");
            }
        }

        return Parse(bytes, path);
    }

    private static RestoreIntent Parse(byte[] bytes, string path)
    {
        string[] lines;
        try
        {
            lines = new UTF8Encoding(false, true).GetString(bytes).Split('\n');
        }
        catch (DecoderFallbackException)
        {
            throw Unrecognized(path, "it is not UTF-8 text");
        }

        // Header, snapshot line, entries, "end", and the empty string after the final newline.
        if (lines.Length < 4 || lines[0] != Header || lines[^1].Length != 0 || lines[^2] != "end"
            || !lines[1].StartsWith("snapshot ", StringComparison.Ordinal) || !SnapshotId.TryParse(lines[1]["snapshot ".Length..], out SnapshotId id))
        {
            throw Unrecognized(path, "its header or end line is not as written");
        }

        var top = new List<byte[]>();
        var metadata = new List<byte[]>();
        for (int i = 2; i < lines.Length - 2; i++)
        {
            string line = lines[i];
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            byte[] name;
            try
            {
                name = space < 0 ? [] : Convert.FromHexString(line.AsSpan(space + 1));
            }
            catch (FormatException)
            {
                throw Unrecognized(path, $"line {i + 1} is not a name in hexadecimal");
            }

            if (name is [] or [(byte)'.'] or [(byte)'.', (byte)'.'] || name.Contains((byte)'/') || name.Contains((byte)0))
            {
                throw Unrecognized(path, $"line {i + 1} does not hold a single file name");
            }

            switch (space < 0 ? line : line[..space])
            {
                case "top":
                    top.Add(name);
                    break;
                case "metadata":
                    metadata.Add(name);
                    break;
                default:
                    throw Unrecognized(path, $"line {i + 1} is not an entry line");
            }
        }

        return new RestoreIntent(id, top, metadata);
    }

    private static SnapshotException Unrecognized(string path, string why) => new(
        SnapshotErrorCode.Failed,
        $"The restore intent marker '{path}' cannot be used ({why}); the interrupted restore was left as it is, for an operator to finish.",
        SnapshotStep.RestoreRecover,
        path,
        Errno.EINVAL);
}

using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using AeroSnapshot.Fast.IO.Interop;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// Lists a directory's entry names as the bytes the file system holds. .NET's own enumeration
/// decodes names lossily (invalid UTF-8 becomes U+FFFD, and such a name cannot be reopened), so
/// names are read with <c>readdir</c> and a name that is not UTF-8 is reported, not guessed at.
/// </summary>
internal static class DirectoryListing
{
    /// <summary>An entry: its name (null when the bytes are not UTF-8) and the raw bytes.</summary>
    internal readonly record struct Entry(string? Name, byte[] RawName);

    /// <summary>
    /// Lists <paramref name="directory"/>, opened with <c>O_NOFOLLOW | O_DIRECTORY</c>: a directory
    /// that is a symbolic link fails with <c>ELOOP</c> instead of listing where it points.
    /// </summary>
    public static List<Entry> Read(string directory)
    {
        using DirectoryHandle handle = DirectoryHandle.Open(directory);
        return handle.List();
    }

    /// <summary>Reads the entries of a stream from <c>fdopendir</c>, and closes it.</summary>
    public static unsafe List<Entry> ReadAndClose(IntPtr dir, string directory)
    {
        var entries = new List<Entry>();
        try
        {
            while (true)
            {
                IntPtr dirent = Sys.ReadDir(dir);
                if (dirent == IntPtr.Zero)
                {
                    int errno = Errors.LastErrno;
                    if (errno != 0)
                    {
                        throw Errors.For("readdir", directory, errno);
                    }

                    break;
                }

                ReadOnlySpan<byte> name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)dirent + Sys.DirentNameOffset);
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                {
                    continue;
                }

                entries.Add(new Entry(Utf8.IsValid(name) ? Encoding.UTF8.GetString(name) : null, name.ToArray()));
            }
        }
        finally
        {
            _ = Sys.CloseDir(dir);
        }

        return entries;
    }

    /// <summary>Shows a non-UTF-8 name readably: valid bytes as text, the rest as <c>\xNN</c>.</summary>
    public static string Printable(ReadOnlySpan<byte> rawName)
    {
        var text = new StringBuilder(rawName.Length);
        foreach (byte b in rawName)
        {
            if (b is >= 0x20 and < 0x7f)
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:x2}");
            }
        }

        return text.ToString();
    }
}

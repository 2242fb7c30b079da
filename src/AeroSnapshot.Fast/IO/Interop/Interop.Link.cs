using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

internal static partial class Sys
{
    /// <summary><c>link(2)</c>: a new name for a file, failing with <c>EEXIST</c> rather than replacing (the no-replace publish where <c>renameat2</c> has no <c>RENAME_NOREPLACE</c>).</summary>
    [LibraryImport(Libc, EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Link(string oldPath, string newPath);
}

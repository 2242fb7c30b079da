namespace AeroSnapshot.Fast;

/// <summary>Where a data directory keeps its storage file (see <see cref="DataDirectoryLayout"/>).</summary>
public enum StorageFileLocation
{
    /// <summary>
    /// <c>&lt;data-dir&gt;/storage.dat</c>: where the reference's snapshot and checkpoint read it, and
    /// where this library's restores put it into a directory that has no storage file yet.
    /// </summary>
    TopLevel,

    /// <summary>
    /// <c>&lt;data-dir&gt;/data/storage.dat</c>: where AeroDB's own restore from a backup writes it
    /// (CORE_RESTORE.md §5 step 9), in the <c>data/</c> directory AeroDB's <c>init</c> makes.
    /// </summary>
    DataSubdirectory,
}

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// The tar stream itself is malformed: a header whose checksum does not match, a field that is not a
/// number, a size past the end of the archive, bytes after the end-of-archive marker. The archive
/// reader reports it as <c>AERO_METADATA_CORRUPTION</c>; the message names the byte offset.
/// </summary>
internal sealed class ArchiveFormatException(string message) : Exception(message);

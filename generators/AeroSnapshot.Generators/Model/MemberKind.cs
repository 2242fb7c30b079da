namespace AeroSnapshot.Generators.Model;

/// <summary>The member types a JSON document may use; each has one writer and one reader call.</summary>
internal enum MemberKind
{
    String,
    Boolean,
    Int32,
    Int64,
    UInt64,
    SnapshotId,
    SnapshotInstant,
    Crc32Checksum,
    ChecksumMap,
}

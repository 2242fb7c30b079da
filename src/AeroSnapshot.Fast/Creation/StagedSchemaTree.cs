namespace AeroSnapshot.Fast.Creation;

/// <summary>
/// A schema tree already in the staging directory (a pre-copy's): its directories, parents first,
/// and its files with what they held when copied, so <see cref="SchemaCopy"/> can keep the ones the
/// source still holds unchanged.
/// </summary>
internal sealed record StagedSchemaTree(IReadOnlyList<string> Directories, IReadOnlyDictionary<string, StagedSchemaFile> Files);

/// <summary>A staged schema file: its length, its CRC-32 and its strong hash (XxHash128) when it was copied.</summary>
internal readonly record struct StagedSchemaFile(long Length, Crc32Checksum Checksum, UInt128 StrongHash);

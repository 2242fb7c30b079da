namespace AeroSnapshot.Fast.Wal;

/// <summary>What a WAL that passed validation holds.</summary>
/// <param name="Records">The number of records.</param>
/// <param name="Bytes">The WAL's length in bytes.</param>
/// <param name="FirstSequence">The first record's sequence number; null for an empty WAL.</param>
/// <param name="LastSequence">The last record's sequence number; null for an empty WAL.</param>
public readonly record struct WalSummary(long Records, long Bytes, ulong? FirstSequence, ulong? LastSequence);

using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.Creation;

/// <summary>What to snapshot: the data directory, its sources, the WAL and the lock.</summary>
internal sealed record SnapshotRequest(
    string DataDirectory,
    string StoragePath,
    SafeFileHandle? StorageHandle,
    string SchemaDirectory,
    IWalDurability Wal,
    IExecutionLock ExecutionLock);

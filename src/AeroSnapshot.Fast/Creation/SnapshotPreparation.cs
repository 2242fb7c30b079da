namespace AeroSnapshot.Fast.Creation;

/// <summary>What <see cref="SnapshotManager.PrepareSnapshot"/> did ahead of the write pause.</summary>
/// <param name="SnapshotsDirectoryCreated">True when <c>snapshots/</c> was created (and made durable).</param>
/// <param name="RemovedLeftovers">Names of leftover staging directories removed.</param>
/// <param name="WarmedBytes">Bytes of the storage file read into the page cache (0 unless asked).</param>
public sealed record SnapshotPreparation(bool SnapshotsDirectoryCreated, IReadOnlyList<string> RemovedLeftovers, long WarmedBytes);

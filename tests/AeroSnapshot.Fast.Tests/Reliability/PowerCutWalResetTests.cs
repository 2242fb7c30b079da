using AeroSnapshot.Fast.Checkpoint;
using AeroSnapshot.Fast.Tests.Support;
using Microsoft.Win32.SafeHandles;
using Xunit.Abstractions;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// The WAL reset alone, on ext4 and XFS: a WAL of many extents is truncated to zero and the power is
/// cut before its fsync, or after it. Before the fsync the WAL must come back whole (its old bytes) or
/// empty, never shorter or with zeroed blocks; after the fsync it must be empty.
/// </summary>
[Collection(LoopMounts.Name)]
public sealed class PowerCutWalResetTests(ITestOutputHelper output)
{
    public static TheoryData<string, bool> Cases() => new()
    {
        { "ext4", false }, { "ext4", true }, { "xfs", false }, { "xfs", true },
    };

    [PrivilegedTheory]
    [MemberData(nameof(Cases))]
    public void A_power_cut_around_the_wal_reset_leaves_the_old_wal_or_an_empty_one(string fileSystem, bool synced)
    {
        string options = fileSystem == "ext4" ? "commit=600" : string.Empty;
        using var fs = new LoopFileSystem(fileSystem, 320L << 20, options);
        string directory = Path.Join(fs.MountPoint, "wal");
        Directory.CreateDirectory(directory);
        string path = Path.Join(directory, "wal.log");

        // Written in pieces with a sync between them, so the file has several extents to free.
        var records = new List<byte>();
        for (int piece = 0; piece < 8; piece++)
        {
            (byte[] bytes, _) = WalBuilder.Valid(Enumerable.Repeat(60_000, 16).ToArray(), firstSequence: (ulong)(piece * 16) + 1, seed: piece);
            using (FileStream stream = new(path, FileMode.Append))
            {
                stream.Write(bytes);
            }

            records.AddRange(bytes);
            ExternalCommand.Run("sync");
        }

        byte[] wal = [.. records];
        using (SafeFileHandle handle = WalReset.Open(path, out _))
        {
            WalReset.Truncate(handle, path);
            if (synced)
            {
                WalReset.Sync(handle, path);
            }
        }

        PowerCut.Cut(fs.MountPoint);
        fs.Unmount();
        fs.Mount(fileSystem, options);

        byte[] after = File.ReadAllBytes(path);
        output.WriteLine($"{fileSystem}, {(synced ? "fsynced" : "not fsynced")}: {wal.Length} bytes before, {after.Length} after the cut");
        if (synced)
        {
            Assert.Empty(after);
        }
        else
        {
            Assert.True(after.Length == 0 || after.AsSpan().SequenceEqual(wal), $"torn WAL: {after.Length} bytes");
        }

        using var manager = new SnapshotManager();
        Assert.Equal(after.Length, manager.ValidateWal(path).Bytes);
    }
}

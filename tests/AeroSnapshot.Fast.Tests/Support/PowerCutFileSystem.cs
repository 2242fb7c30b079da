namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// The file system a power-cut suite runs on. ext4 with a 600 s commit interval, so only what the
/// protocol made durable survives; XFS as the second file system (issue #17): its journal commits
/// differently (an fsync forces the whole log up to that point, with no periodic commit in the
/// few seconds a case takes), so a sync that ext4's ordered journal saves by accident may not be
/// saved there. Both are cut with the same ioctl: <c>EXT4_IOC_SHUTDOWN</c> is XFS's
/// <c>XFS_IOC_GOINGDOWN</c> (<c>_IOR('X', 125, __u32)</c>), and flag 2 is
/// <c>XFS_FSOP_GOING_FLAGS_NOLOGFLUSH</c>, what <c>xfs_io -x -c shutdown</c> sends.
/// </summary>
public sealed record PowerCutFileSystem(string Type, long SizeBytes, string MountOptions)
{
    /// <summary>mkfs.xfs 6.1 refuses file systems under 300 MB; the image is sparse, so this costs no disk.</summary>
    public const long XfsMinimumBytes = 320L << 20;

    public static PowerCutFileSystem Ext4(long sizeBytes) => new("ext4", sizeBytes, "commit=600");

    public static PowerCutFileSystem Xfs() => new("xfs", XfsMinimumBytes, string.Empty);

    public static PowerCutFileSystem Named(string type, long ext4SizeBytes) => type switch
    {
        "ext4" => Ext4(ext4SizeBytes),
        "xfs" => Xfs(),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "ext4 or xfs"),
    };

    public LoopFileSystem Create() => new(Type, SizeBytes, MountOptions);

    /// <summary>Unmounts after the cut and mounts again: only what reached the image is there (XFS replays its log).</summary>
    public void Remount(LoopFileSystem fs)
    {
        fs.Unmount();
        fs.Mount(Type, MountOptions);
    }
}

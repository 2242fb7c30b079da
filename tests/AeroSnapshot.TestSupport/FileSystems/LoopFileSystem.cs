using AeroSnapshot.TestSupport.Requirements;

namespace AeroSnapshot.TestSupport.FileSystems;

/// <summary>
/// A real file system in an image file, loop-mounted for one test (ext4, XFS or btrfs), as
/// DESIGN.md §7 describes. Needs root; unmounted, detached and deleted on dispose.
/// </summary>
/// <remarks>
/// <para>
/// The image is attached to a loop device once (<c>losetup --find --show</c>) and that device is
/// mounted, unmounted and mounted again by name, instead of <c>mount -o loop</c> each time. With
/// <c>-o loop</c>, every remount after a power cut asked for a fresh loop device while the kernel
/// was still auto-clearing the previous one, and competed for free devices with every other test
/// mounting at the same moment (this machine has eight); that is the likeliest reason a power-cut
/// case failed once in a full parallel run and never alone. Keeping the device attached does not
/// weaken the power cut: when the file system is unmounted, the device's last opener closes it and
/// the kernel drops its page cache, so the next mount reads only what reached the image.
/// </para>
/// <para>
/// Every test class that mounts one belongs to the test project's <c>LoopMounts</c> collection,
/// which xunit runs on its own, one test at a time.
/// </para>
/// </remarks>
public sealed class LoopFileSystem : IDisposable
{
    private bool _mounted;
    private bool _disposed;

    /// <param name="type"><c>ext4</c>, <c>xfs</c> or <c>btrfs</c>.</param>
    /// <param name="sizeBytes">The image's size (sparse: costs only what is written).</param>
    /// <param name="mountOptions">Options for <c>mount -o</c>, e.g. <c>commit=600</c>.</param>
    /// <param name="mkfsArguments">More arguments for mkfs, before the image, e.g. <c>-m 0 -N 64</c> for ext4.</param>
    public LoopFileSystem(string type, long sizeBytes, string mountOptions = "", IReadOnlyList<string>? mkfsArguments = null)
    {
        // Checked before the image exists: a machine without root or without this mkfs skips here.
        TestRequirements.Root("a loop-mounted " + type);
        TestRequirements.Program(MkfsProgram(type));
        string id = Guid.NewGuid().ToString("N")[..8];
        Type = type;
        ImagePath = Path.Join(Path.GetTempPath(), $"aerosnap-{type}-{id}.img");
        MountPoint = Path.Join(Path.GetTempPath(), $"aerosnap-{type}-{id}");
        using (FileStream image = File.Create(ImagePath))
        {
            image.SetLength(sizeBytes);
        }

        // Everything after the image exists can fail (mkfs missing or failing, no free loop device,
        // mount refused): dispose then, or each failure leaves an image of hundreds of MiB in /tmp.
        try
        {
            switch (type)
            {
                case "ext4":
                    ExternalCommand.Run("mkfs.ext4", ["-q", "-F", .. mkfsArguments ?? [], ImagePath]);
                    break;
                case "xfs":
                    ExternalCommand.Run("mkfs.xfs", ["-q", "-f", "-m", "reflink=1", .. mkfsArguments ?? [], ImagePath]);
                    break;
                case "btrfs":
                    ExternalCommand.Run("mkfs.btrfs", ["-q", "-f", .. mkfsArguments ?? [], ImagePath]);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(type), type, "ext4, xfs or btrfs");
            }

            Device = Attach(ImagePath);
            Directory.CreateDirectory(MountPoint);
            Mount(type, mountOptions);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Type { get; }

    /// <summary>The program that makes a file system of <paramref name="type"/>.</summary>
    public static string MkfsProgram(string type) => type switch
    {
        "ext4" or "xfs" or "btrfs" => "mkfs." + type,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "ext4, xfs or btrfs"),
    };

    public string ImagePath { get; }

    /// <summary>The loop device the image stays attached to for the file system's whole life (<c>/dev/loopN</c>); null until attached.</summary>
    public string? Device { get; private set; }

    public string MountPoint { get; }

    /// <summary>Unmounts, retrying while the kernel still reports the mount busy; throws with umount's output otherwise.</summary>
    public void Unmount()
    {
        (int exitCode, string output) = (0, string.Empty);
        for (int attempt = 0; attempt < 50; attempt++)
        {
            (exitCode, output) = ExternalCommand.TryRun("umount", MountPoint);
            if (exitCode == 0)
            {
                _mounted = false;
                return;
            }

            Thread.Sleep(100);
        }

        // Name whoever holds it: the only way to learn what kept a file system busy after the fact.
        throw new InvalidOperationException($"umount {MountPoint} failed ({exitCode}): {output}; held by: {Holders()}");
    }

    public void Mount(string type, string mountOptions = "")
    {
        var arguments = new List<string> { "-t", type };
        if (mountOptions.Length > 0)
        {
            arguments.Add("-o");
            arguments.Add(mountOptions);
        }

        arguments.Add(Device ?? throw new InvalidOperationException("The image is not attached to a loop device."));
        arguments.Add(MountPoint);
        ExternalCommand.Run("mount", [.. arguments]);
        _mounted = true;
    }

    public void Dispose()
    {
        // Twice would detach by name a second time, when the name may already be another test's device.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_mounted && ExternalCommand.TryRun("umount", MountPoint).ExitCode != 0)
        {
            Thread.Sleep(200);
            if (ExternalCommand.TryRun("umount", MountPoint).ExitCode != 0)
            {
                ExternalCommand.TryRun("umount", "-l", MountPoint);
            }
        }

        _mounted = false;

        if (Device is not null)
        {
            DetachOwnDevice(Device, ImagePath);
            Device = null;
        }

        try
        {
            if (Directory.Exists(MountPoint))
            {
                Directory.Delete(MountPoint);
            }
        }
        catch (IOException)
        {
            // A lazily unmounted point is removed once it is free.
        }
        catch (UnauthorizedAccessException)
        {
        }

        File.Delete(ImagePath);
    }

    /// <summary>Processes with a descriptor or working directory under the mount point, from <c>/proc</c> (no extra tool needed).</summary>
    private string Holders()
    {
        var holders = new List<string>();
        foreach (string process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), out int pid))
            {
                continue;
            }

            try
            {
                string command = File.ReadAllText(Path.Join(process, "comm")).Trim();
                IEnumerable<string> links = Directory.EnumerateFileSystemEntries(Path.Join(process, "fd")).Append(Path.Join(process, "cwd"));
                foreach (string link in links)
                {
                    string? target = new FileInfo(link).LinkTarget;
                    if (target is not null && target.StartsWith(MountPoint, StringComparison.Ordinal))
                    {
                        holders.Add($"{pid} ({command}) {Path.GetFileName(link)} -> {target}");
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process exited meanwhile.
            }
        }

        return holders.Count == 0 ? "no process" : string.Join("; ", holders);
    }

    /// <summary>
    /// Detaches <paramref name="device"/> if, and only if, it still serves <paramref name="imagePath"/>.
    /// </summary>
    /// <remarks>
    /// <c>losetup -d /dev/loopN</c> acts on a name, and a loop device's name is recycled the moment
    /// the kernel frees it: both test projects run at once (<c>dotnet test</c> on the solution runs
    /// them side by side), each attaching and detaching devices. Once this device had been freed
    /// (auto-cleared after a lazy unmount, or detached by an earlier call), another test's
    /// <c>losetup --find</c> or <c>mount -o loop</c> could be handed the same name while it set up
    /// its own file system, and a detach by name here would pull the image out from under that mount:
    /// its next reads and writes fail with EIO, a sporadic failure of a test that did nothing wrong.
    /// So the device is detached only when it still serves this very image (<c>losetup --associated</c>,
    /// which compares device and inode), at most once (<see cref="Dispose"/> is idempotent),
    /// and every mount of the tests goes through this type (no <c>mount -o loop</c> allocating
    /// devices behind its back). A device still in use (a lazy unmount) is marked auto-clear by the
    /// detach and goes when freed.
    /// </remarks>
    private static void DetachOwnDevice(string device, string imagePath)
    {
        // losetup matches the image by device and inode, as the kernel holds it (no path games).
        (int exitCode, string attached) = ExternalCommand.TryRun("losetup", "--list", "--noheadings", "--output", "NAME", "--associated", imagePath);
        if (exitCode == 0 && attached.Split('\n', StringSplitOptions.TrimEntries).Contains(device))
        {
            ExternalCommand.TryRun("losetup", "-d", device);
        }
    }

    /// <summary>
    /// Attaches the image to a free loop device. <c>losetup --find</c> can lose a race for the device
    /// it found to another process attaching at the same moment; that shows as a failure, so retry.
    /// </summary>
    private static string Attach(string imagePath)
    {
        (int exitCode, string output) = (0, string.Empty);
        for (int attempt = 0; attempt < 20; attempt++)
        {
            (exitCode, output) = ExternalCommand.TryRun("losetup", "--find", "--show", imagePath);
            string device = output.Trim();
            if (exitCode == 0 && device.StartsWith("/dev/loop", StringComparison.Ordinal))
            {
                return device;
            }

            Thread.Sleep(100 + Random.Shared.Next(100));
        }

        (_, string attached) = ExternalCommand.TryRun("losetup", "--list");
        throw new InvalidOperationException($"losetup --find --show {imagePath} failed ({exitCode}): {output}; attached: {attached}");
    }
}

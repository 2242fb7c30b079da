using AeroSnapshot.Fast;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Cli;

/// <summary>
/// Tells "the data directory is in use" (exit 11) from every other failure (exit 3), from the
/// library's own error: <see cref="DataDirectoryLock"/> refuses with <c>EAGAIN</c> on the <c>LOCK</c> file
/// another process holds, and the running-marker check refuses at step <see cref="SnapshotStep.CheckLock"/>
/// naming AeroDB's <c>.lock</c> (no errno: the marker is only present, not locked).
/// </summary>
internal static class DataDirectoryInUse
{
    /// <summary>True when another process holds the data directory's <c>LOCK</c>: waiting may help (<c>--lock-wait</c>).</summary>
    public static bool IsLockHeld(SnapshotException error)
        => error.Errno == Errno.EAGAIN && error.Code == SnapshotErrorCode.Failed && Path.GetFileName(error.Path) == DataDirectoryLock.FileName;

    /// <summary>True when AeroDB's running marker refused the command: AeroDB appears to run there.</summary>
    public static bool IsRunningMarker(SnapshotException error)
        => error.Step == SnapshotStep.CheckLock && error.Errno is null && error.Code == SnapshotErrorCode.Failed
            && Path.GetFileName(error.Path) == DataDirectoryLayout.RunningMarkerFileName;

    /// <summary>Either: the data directory is in use.</summary>
    public static bool Is(SnapshotException error) => IsLockHeld(error) || IsRunningMarker(error);
}

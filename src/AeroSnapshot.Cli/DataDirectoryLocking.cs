using AeroSnapshot.Fast;

namespace AeroSnapshot.Cli;

/// <summary>
/// Runs a command's work while it holds the data directory's <see cref="DataDirectoryLock"/>
/// (waiting for it as <c>--lock-wait</c> says). A command that fails or is refused abandons the
/// lock, which removes a <c>LOCK</c> file that the command itself had to create: a refused command
/// leaves nothing behind. A dry run locks <c>LOCK</c> only if it exists (nobody holds a lock on a file
/// that is not there), so it never creates one: it changes nothing, not even the directory's mtime.
/// </summary>
internal static class DataDirectoryLocking
{
    public static T WhileLocked<T>(string dataDirectory, LockWait wait, Func<T> work, bool dryRun = false)
    {
        if (dryRun)
        {
            using (wait.Retry(() => DataDirectoryLock.AcquireIfPresent(dataDirectory)))
            {
                return work();
            }
        }

        DataDirectoryLock dataLock = wait.Retry(() => DataDirectoryLock.Acquire(dataDirectory));
        T result;
        try
        {
            result = work();
        }
        catch
        {
            dataLock.Abandon();
            throw;
        }

        dataLock.Dispose();
        return result;
    }
}

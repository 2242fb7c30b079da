using AeroSnapshot.Fast;

namespace AeroSnapshot.Cli;

/// <summary>
/// Runs a command's work while it holds the data directory's <see cref="DataDirectoryLock"/>. A
/// command that fails or is refused abandons the lock, which removes a <c>LOCK</c> file that the
/// command itself had to create: a refused command leaves nothing behind.
/// </summary>
internal static class DataDirectoryLocking
{
    public static T WhileLocked<T>(string dataDirectory, Func<T> work)
    {
        DataDirectoryLock dataLock = DataDirectoryLock.Acquire(dataDirectory);
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

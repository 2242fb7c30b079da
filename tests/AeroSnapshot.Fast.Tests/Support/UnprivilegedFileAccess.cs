using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// Makes the calling thread, and only it, access files as an unprivileged user: Linux checks file
/// permissions against the file-system uid and gid (<c>setfsuid</c>, <c>setfsgid</c>), and changing
/// the fs uid from 0 to non-zero also drops <c>CAP_DAC_OVERRIDE</c>, <c>CAP_DAC_READ_SEARCH</c> and
/// <c>CAP_FOWNER</c> from the thread's effective set (capabilities(7)); setting it back to 0
/// restores them. So a test running as root can meet a real <c>EACCES</c> from a mode-000 file in
/// the library's own system calls, in process, without a second process, FUSE or a new user.
/// </summary>
/// <remarks>
/// Per thread: glibc's <c>setfsuid</c> is the raw system call, not broadcast to the other threads
/// like <c>setuid</c>, so tests running in parallel keep root. The test must stay on this thread
/// until disposal (synchronous code only); the constructor checks the drop took effect.
/// </remarks>
public sealed partial class UnprivilegedFileAccess : IDisposable
{
    public const uint Nobody = 65534;

    private readonly int _threadId;

    public UnprivilegedFileAccess(uint uid = Nobody, uint gid = Nobody)
    {
        _threadId = gettid();
        _ = setfsgid(gid);
        _ = setfsuid(uid);

        // setfsuid returns the previous value and changes nothing for an invalid uid: the way to read it back.
        if ((uint)setfsuid(uint.MaxValue) != uid || (uint)setfsgid(uint.MaxValue) != gid)
        {
            Restore();
            throw new InvalidOperationException($"setfsuid({uid})/setfsgid({gid}) did not take effect: not root?");
        }
    }

    public void Dispose()
    {
        if (gettid() != _threadId)
        {
            throw new InvalidOperationException("UnprivilegedFileAccess was disposed on another thread than the one it changed.");
        }

        Restore();
    }

    private static void Restore()
    {
        _ = setfsuid(0);
        _ = setfsgid(0);
    }

    [LibraryImport("libc.so.6")]
    private static partial int setfsuid(uint uid);

    [LibraryImport("libc.so.6")]
    private static partial int setfsgid(uint gid);

    [LibraryImport("libc.so.6")]
    private static partial int gettid();
}

using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Fast.IO;

/// <summary>
/// Borrows a handle's descriptor for direct system calls, keeping the handle from being closed
/// meanwhile. A copy loop takes it once per file instead of once per call.
/// </summary>
internal ref struct RawDescriptor
{
    private readonly SafeFileHandle _handle;
    private bool _added;

    public RawDescriptor(SafeFileHandle handle)
    {
        _handle = handle;
        _added = false;
        handle.DangerousAddRef(ref _added);
        Value = (int)handle.DangerousGetHandle();
    }

    public int Value { get; }

    public void Dispose()
    {
        if (_added)
        {
            _added = false;
            _handle.DangerousRelease();
        }
    }
}

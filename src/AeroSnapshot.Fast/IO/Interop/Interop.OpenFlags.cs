using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.IO.Interop;

/// <summary>
/// <c>open(2)</c> flags. Most are the same on every Linux CPU, but <c>O_DIRECTORY</c>,
/// <c>O_NOFOLLOW</c> and <c>O_DIRECT</c> differ between x64 and arm64, so they are chosen at run
/// time from the process architecture rather than hard-coded.
/// </summary>
internal static class OpenFlags
{
    public const int ReadOnly = 0x0;
    public const int WriteOnly = 0x1;
    public const int ReadWrite = 0x2;
    public const int Create = 0x40;
    public const int Exclusive = 0x80;
    public const int Truncate = 0x200;
    public const int NonBlocking = 0x800;
    public const int CloseOnExec = 0x80000;

    private static readonly bool IsArm = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

    public static int Directory { get; } = IsArm ? 0x4000 : 0x10000;

    public static int NoFollow { get; } = IsArm ? 0x8000 : 0x20000;

    public static int Direct { get; } = IsArm ? 0x10000 : 0x4000;
}

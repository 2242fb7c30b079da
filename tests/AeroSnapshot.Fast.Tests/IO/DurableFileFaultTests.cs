using AeroSnapshot.Fast.IO;
using AeroSnapshot.TestSupport;
using AeroSnapshot.TestSupport.Strace;

namespace AeroSnapshot.Fast.Tests.IO;

/// <summary>
/// The durable replace under checkpoint's marker and intent and restore-backup's ready file, with
/// each of its calls failing once (strace on the test thread, only on the file, its temporary and
/// their directory). Until the rename the old file must be untouched, and the error must name the
/// call, the path and the errno; a failure after the rename (the directory's fsync) still fails the
/// replace, since the new name is not yet durable. Found by the second mutation pass of issue #17:
/// the rename's error check could be inverted without failing a test (only the command-line sweeps,
/// another process, made these calls fail).
/// </summary>
public sealed class DurableFileFaultTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aerosnap-io-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Target => Path.Join(_root, "checkpoint.json");

    private string Temporary => Target + DurableFile.TemporarySuffix;

    public static TheoryData<string, string, int, string, bool> Faults => new()
    {
        // syscall, errno, which call, the path the error must name, whether the new content is in place
        { "unlink", "EIO", 1, "checkpoint.json.tmp", false },
        { "openat", "EACCES", 1, "checkpoint.json.tmp", false },
        { "pwrite64", "ENOSPC", 1, "checkpoint.json.tmp", false },
        { "fsync", "EIO", 1, "checkpoint.json.tmp", false },
        { "rename", "EIO", 1, "checkpoint.json.tmp", false },
        { "fsync", "EIO", 2, string.Empty, true },
    };

    [PrivilegedTheory(Needs = ["strace"])]
    [MemberData(nameof(Faults))]
    public void A_failed_call_is_reported_with_its_errno_and_before_the_rename_leaves_the_old_file(string syscall, string errno, int when, string named, bool replaced)
    {
        File.WriteAllText(Target, "old");
        File.WriteAllText(Temporary, "left by a crash");

        NativeIOException error;
        using (AttachedStrace.Attach(new StraceRequest(syscall, $"error={errno}:when={when}") { Paths = [Target, Temporary, _root] }))
        {
            error = Assert.Throws<NativeIOException>(() => DurableFile.Replace(Target, "new"u8));
        }

        Assert.Equal(Errno(errno), error.Errno);
        Assert.Equal(Path.Join(_root, named).TrimEnd('/'), error.Path);
        Assert.Equal(replaced ? "new" : "old", File.ReadAllText(Target));

        DurableFile.Replace(Target, "new"u8);
        Assert.Equal("new", File.ReadAllText(Target));
        Assert.False(File.Exists(Temporary));
    }

    private static int Errno(string name) => name switch
    {
        "EIO" => 5,
        "EACCES" => 13,
        "ENOSPC" => 28,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}


namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// Issue #17, "the durable sequence, asserted", for the tool as users run it: <c>aerosnap create</c>
/// under <c>strace -f -y</c>, restricted to the data directory's paths (<see cref="StraceCreate"/>),
/// must satisfy the same partial order as the library's own test
/// (<see cref="DurableSequence.CheckCreate"/>): the whole process, every thread, the tool's
/// options as it passes them.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed class DurableSequenceCliTests : IDisposable
{
    private const string Traced = "fsync,fdatasync,renameat2,?renameat,?mkdir,mkdirat";

    private readonly DataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [NeedsProgramsFact("strace")]
    public void Aerosnap_create_syncs_in_the_order_the_publish_protocol_needs_for_the_first_and_a_later_snapshot()
    {
        Assert.False(Directory.Exists(_dir.SnapshotsPath));

        StraceOutcome first = StraceCreate.Run(_dir, Traced, inject: null);
        Assert.True(first.Result.ExitCode == 0, first.Result.ToString());
        DurableSequence.CheckCreate(Syscall.ParseAll(first.Trace), _dir.Data, CliJson.Created(first.Result).Id!, snapshotsIsNew: true);

        // A later create in the same second would collide; wait for the next one.
        Thread.Sleep(1100 - DateTime.UtcNow.Millisecond);
        StraceOutcome later = StraceCreate.Run(_dir, Traced, inject: null);
        Assert.True(later.Result.ExitCode == 0, later.Result.ToString());
        DurableSequence.CheckCreate(Syscall.ParseAll(later.Trace), _dir.Data, CliJson.Created(later.Result).Id!, snapshotsIsNew: false);
    }
}

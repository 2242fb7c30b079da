namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>
/// The schema tree's read-ahead (docs/PERFORMANCE.md): before the first schema copy is created,
/// every source has been advised <c>POSIX_FADV_WILLNEED</c>, so the disk serves their reads
/// together. Seen from outside, in the system calls of a real <c>aerosnap create</c>.
/// </summary>
[Collection(ReliabilitySuites.Name)]
public sealed class SchemaReadAheadTests : IDisposable
{
    private readonly DataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [NeedsProgramsFact("strace")]
    public void Create_advises_every_schema_source_willneed_before_it_creates_any_schema_copy()
    {
        for (int i = 0; i < 6; i++)
        {
            _dir.WriteSchema($"tenant{i % 3}/schema_v{i}.json", $$"""{"version":{{i}}}""");
        }

        StraceOutcome run = StraceCreate.Run(_dir, "fadvise64,openat", inject: null);

        Assert.True(run.Result.ExitCode == 0, run.Result.ToString());
        string[] lines = run.Trace.Split('\n');
        int firstSchemaCopy = Array.FindIndex(lines, l => l.Contains("openat(", StringComparison.Ordinal)
            && l.Contains("O_CREAT", StringComparison.Ordinal)
            && l.Contains("/schemas/", StringComparison.Ordinal));
        Assert.True(firstSchemaCopy >= 0, "no schema copy was created:\n" + run.Trace);
        foreach (string source in Directory.GetFiles(_dir.SchemasPath, "*", SearchOption.AllDirectories))
        {
            // strace -y shows a descriptor as fd<path>.
            int advice = Array.FindIndex(lines, l => l.Contains($"fadvise64(", StringComparison.Ordinal)
                && l.Contains($"<{source}>", StringComparison.Ordinal)
                && l.Contains("POSIX_FADV_WILLNEED", StringComparison.Ordinal));
            Assert.True(advice >= 0 && advice < firstSchemaCopy, $"{source} was not read ahead before the first schema copy:\n{run.Trace}");
        }
    }
}

using AeroSnapshot.Fast.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AeroSnapshot.Fast.Tests.Model;

/// <summary>
/// Errors in the shape AeroDB's error specification gives them: the invariant id the code maps to
/// as its own field (D2 for corruption, K2 for the WAL), the rule in words beside it, and logged
/// errors carrying code, severity, component and invariant.
/// </summary>
public sealed class SnapshotExceptionTests
{
    [Theory]
    [InlineData(SnapshotErrorCode.DataCorruption, "D2")]
    [InlineData(SnapshotErrorCode.MetadataCorruption, "D2")]
    [InlineData("AERO_WAL_CORRUPTION", "K2")]
    [InlineData(SnapshotErrorCode.IO, null)]
    [InlineData(SnapshotErrorCode.Failed, null)]
    public void The_invariant_is_the_specifications_id_for_the_code(string code, string? invariant)
    {
        var error = new SnapshotException(code, "message");

        Assert.Equal(invariant, error.Invariant);
    }

    [Fact]
    public void An_explicit_invariant_and_rule_are_kept_apart()
    {
        var error = new SnapshotException(SnapshotErrorCode.Failed, "m", invariant: "F2", rule: "nothing of a data directory is lost by a restore");

        Assert.Equal("F2", error.Invariant);
        Assert.Equal("nothing of a data directory is lost by a restore", error.Rule);
    }

    [Fact]
    public void Corruption_found_by_restore_is_D2_and_logged_with_its_structured_fields()
    {
        using var workspace = new ReadSideWorkspace();
        workspace.WriteTypicalData();
        SnapshotId id = workspace.Snapshot();
        Damage.FlipBit(Path.Join(workspace.SnapshotPath(id), "storage.dat"), 3);
        string target = Path.Join(workspace.Root, "target");
        Directory.CreateDirectory(target);
        var logger = new StructuredLogger();

        SnapshotException error = Assert.Throws<SnapshotException>(() => workspace.Manager.Restore(workspace.SnapshotPath(id), target, options: new SnapshotOptions { Logger = logger }));

        Assert.Equal("D2", error.Invariant);
        Assert.Equal("every snapshot file matches its manifest checksum", error.Rule);
        IReadOnlyDictionary<string, object?> fields = Assert.Single(logger.Errors);
        Assert.Equal(SnapshotErrorCode.DataCorruption, fields["Code"]);
        Assert.Equal("FATAL", fields["Severity"]);
        Assert.Equal("restore", fields["Component"]);
        Assert.Equal("D2", fields["Invariant"]);
    }

    private sealed class StructuredLogger : ILogger
    {
        public List<IReadOnlyDictionary<string, object?>> Errors { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Error && state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
            {
                Errors.Add(pairs.ToDictionary(static p => p.Key, static p => p.Value));
            }
        }
    }
}

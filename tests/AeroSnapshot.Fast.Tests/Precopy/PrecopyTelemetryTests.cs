using System.Diagnostics;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Precopy;
using AeroSnapshot.Fast.Tests.Diagnostics;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Precopy;

/// <summary>The create span says which path the pause took with a pre-copy.</summary>
[Collection(TelemetryListeners.Name)]
public sealed class PrecopyTelemetryTests
{
    [Fact]
    public void The_create_span_carries_the_precopy_storage_outcome()
    {
        using var data = new TestDataDirectory();
        using var manager = new SnapshotManager();
        data.WriteStorage(1 << 20);
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == SnapshotTelemetry.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (stopped) { stopped.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        using SnapshotPrecopy precopy = manager.PrecopySnapshot(data.Root, data.StoragePath, data.SchemaDirectory);
        using (FileStream stream = new(data.StoragePath, FileMode.Open))
        {
            stream.WriteByte(1);   // an in-place write: the full copy
        }

        data.CreateSnapshot(manager, new SnapshotOptions { Precopy = precopy });

        Activity create;
        lock (stopped)
        {
            create = Assert.Single(stopped, a => a.OperationName == "aerosnap.snapshot.create" && (string?)a.GetTagItem("aerosnap.data_dir") == data.Root);
        }

        Assert.Equal(nameof(PrecopyStorageOutcome.PrefixChanged), create.GetTagItem("aerosnap.precopy.storage"));
    }
}

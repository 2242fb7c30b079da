using System.Diagnostics;
using System.Diagnostics.Metrics;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Pruning;
using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Tests.Diagnostics;

/// <summary>Runs the telemetry tests alone: a meter and an activity source are process-wide.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryListeners
{
    public const string Name = "Telemetry (process-wide listeners)";
}

/// <summary>
/// Metrics and traces through System.Diagnostics, collected as an OpenTelemetry SDK would, with a
/// <see cref="MeterListener"/> and an <see cref="ActivityListener"/>: what each operation records,
/// with which tags, the spans of an operation and its steps, and nothing at all when nobody listens.
/// </summary>
[Collection(TelemetryListeners.Name)]
public sealed class TelemetryTests : IDisposable
{
    private readonly ReadSideWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void A_create_records_its_duration_pause_bytes_and_count_and_returns_the_same_figures()
    {
        _workspace.WriteTypicalData();
        using var metrics = new Measurements();

        SnapshotId id = _workspace.Snapshot();

        SnapshotResult result = _workspace.LastResult!;
        Assert.Equal(id, result.Id);
        Assert.Equal(_workspace.SnapshotPath(id), result.Directory);
        Assert.Equal(Directory.EnumerateFiles(result.Directory, "*", SearchOption.AllDirectories).Sum(static f => new FileInfo(f).Length), result.Bytes);
        Assert.Equal(5, result.Files); // storage.dat, 3 schema files, manifest.json
        Assert.Equal(StorageCopyMethod.Streamed, result.StorageCopy);
        Assert.Equal(SnapshotStep.CheckLock, result.Steps[0].Step);
        Assert.Equal(SnapshotStep.SyncParent, result.Steps[^1].Step);
        Assert.True(result.Pause <= result.Duration);

        Measurement created = Assert.Single(metrics.Of("aerosnap.snapshot.created"));
        Assert.Equal(1, created.Value);
        Assert.Equal("streamed", created.Tags["aerosnap.storage.copy"]);
        Assert.Equal(result.Bytes, Assert.Single(metrics.Of("aerosnap.snapshot.copied")).Value);
        Measurement duration = Assert.Single(metrics.Of("aerosnap.snapshot.duration"));
        Assert.Equal("success", duration.Tags["aerosnap.outcome"]);
        Assert.Equal(result.Duration.TotalSeconds, duration.Value, 6);
        Assert.Equal(result.Pause.TotalSeconds, Assert.Single(metrics.Of("aerosnap.snapshot.pause.duration")).Value, 6);
        Assert.Empty(metrics.Of("aerosnap.snapshot.failed"));
    }

    [Fact]
    public void A_failed_create_is_counted_with_its_error_code_and_step()
    {
        _workspace.WriteTypicalData();
        using var metrics = new Measurements();
        var data = new TestDataDirectoryAdapter(_workspace);

        Assert.Throws<SnapshotException>(() => data.Create(Faults.FailAt(SnapshotStep.CopySchemas)));

        Measurement failed = Assert.Single(metrics.Of("aerosnap.snapshot.failed"));
        Assert.Equal(SnapshotErrorCode.IO, failed.Tags["error.type"]);
        Assert.Equal("CopySchemas", failed.Tags["aerosnap.step"]);
        Assert.Equal("failure", Assert.Single(metrics.Of("aerosnap.snapshot.duration")).Tags["aerosnap.outcome"]);
        Assert.Empty(metrics.Of("aerosnap.snapshot.created"));
    }

    [Fact]
    public void Verify_restore_and_prune_record_their_durations_with_outcomes()
    {
        _workspace.WriteTypicalData();
        SnapshotId first = _workspace.Snapshot();
        SnapshotId second = _workspace.Snapshot();
        Damage.FlipBit(Path.Join(_workspace.SnapshotPath(first), "storage.dat"), 1);
        string target = Path.Join(_workspace.Root, "target");
        Directory.CreateDirectory(target);
        using var metrics = new Measurements();

        VerificationReport valid = _workspace.Manager.Verify(_workspace.SnapshotPath(second));
        _workspace.Manager.Verify(_workspace.SnapshotPath(first));
        RestoreResult restored = _workspace.Manager.Restore(_workspace.SnapshotPath(second), target);
        Assert.Throws<SnapshotException>(() => _workspace.Manager.Restore(_workspace.SnapshotPath(first), target));
        PruneResult pruned = _workspace.Manager.Prune(_workspace.DataDirectory, keep: 1);

        Assert.Equal(["valid", "corrupt"], metrics.Of("aerosnap.verify.duration").Select(static m => m.Tags["aerosnap.outcome"]));
        Assert.Equal(["success", "failure"], metrics.Of("aerosnap.restore.duration").Select(static m => m.Tags["aerosnap.outcome"]));
        Assert.Equal(SnapshotErrorCode.DataCorruption, metrics.Of("aerosnap.restore.duration")[1].Tags["error.type"]);
        Assert.Equal("success", Assert.Single(metrics.Of("aerosnap.prune.duration")).Tags["aerosnap.outcome"]);
        Assert.Equal(0, Assert.Single(metrics.Of("aerosnap.prune.deleted")).Value); // the only other snapshot is corrupt: never deleted
        Assert.True(valid.Duration > TimeSpan.Zero);
        Assert.True(restored.Duration > TimeSpan.Zero);
        Assert.Contains(restored.Steps, static s => s.Step == SnapshotStep.RestoreSwap);
        Assert.True(pruned.Duration > TimeSpan.Zero);
    }

    /// <summary>
    /// Issue 26: the attempt frame gives every public operation its span and its duration histogram,
    /// with bucket boundaries for seconds (1 ms to 30 min), so that an exporter's millisecond defaults
    /// do not put every snapshot in one bucket; none of these operations has telemetry code of its own.
    /// </summary>
    [Fact]
    public void Every_public_operation_records_its_span_and_its_duration_in_second_buckets()
    {
        _workspace.WriteTypicalData();
        Directory.CreateDirectory(Path.Join(_workspace.DataDirectory, "wal"));
        string wal = Path.Join(_workspace.DataDirectory, "wal", "wal.log");
        File.WriteAllBytes(wal, []);
        var spans = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == SnapshotTelemetry.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity.OperationName); } },
        };
        ActivitySource.AddActivityListener(listener);
        using var metrics = new Measurements();
        SnapshotManager manager = _workspace.Manager;
        var executionLock = new GlobalExecutionLock();
        string archive = Path.Join(_workspace.Root, "backup.tar");
        string target = Path.Join(_workspace.Root, "restored");
        Directory.CreateDirectory(target);

        using (Fast.Precopy.SnapshotPrecopy precopy = manager.PrecopySnapshot(_workspace.DataDirectory, _workspace.StoragePath, _workspace.SchemaDirectory))
        {
        }

        SnapshotId first = _workspace.Snapshot();
        manager.Verify(_workspace.SnapshotPath(first));
        manager.DiscoverNewestValid(_workspace.DataDirectory);
        manager.ValidateWal(wal);
        using (executionLock.Acquire())
        {
            manager.Backup(_workspace.DataDirectory, archive, wal, executionLock);
        }

        manager.VerifyBackup(archive);
        manager.RestoreBackup(archive, target);
        Thread.Sleep(1100); // the checkpoint's snapshot takes the next second's id
        using (executionLock.Acquire())
        {
            manager.Checkpoint(_workspace.DataDirectory, _workspace.StoragePath, _workspace.SchemaDirectory, wal, executionLock);
        }

        Thread.Sleep(1100);
        SnapshotCapture capture;
        using (executionLock.Acquire())
        {
            capture = manager.CaptureSnapshot(_workspace.DataDirectory, _workspace.StoragePath, _workspace.SchemaDirectory, WalDurability.None, executionLock);
        }

        using (capture)
        {
            capture.Complete();
        }

        manager.Prune(_workspace.DataDirectory, keep: 1);
        manager.RemoveLeftovers(_workspace.DataDirectory);

        string[] operations =
        [
            "aerosnap.precopy", "aerosnap.snapshot.create", "aerosnap.verify", "aerosnap.discover", "aerosnap.wal.validate", "aerosnap.backup",
            "aerosnap.backup.verify", "aerosnap.backup.restore", "aerosnap.checkpoint", "aerosnap.snapshot.capture", "aerosnap.snapshot.complete",
            "aerosnap.prune", "aerosnap.clean",
        ];
        foreach (string operation in operations)
        {
            Assert.Contains(operation, spans);
            List<Measurement> durations = metrics.Of(operation == "aerosnap.snapshot.create" ? "aerosnap.snapshot.duration" : operation + ".duration");
            Assert.NotEmpty(durations);
            Assert.All(durations, m => Assert.True(m.Value > 0 && (string?)m.Tags["aerosnap.outcome"] is not null, operation));
        }

        IReadOnlyList<double>? buckets = metrics.BucketsOf("aerosnap.backup.duration");
        Assert.Equal(SnapshotTelemetry.DurationBuckets, buckets);
        Assert.Equal(SnapshotTelemetry.DurationBuckets, metrics.BucketsOf("aerosnap.snapshot.pause.duration"));
    }

    [Fact]
    public void A_create_is_one_span_with_a_child_span_per_step_and_a_failure_marks_both()
    {
        _workspace.WriteTypicalData();
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == SnapshotTelemetry.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (stopped) { stopped.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);

        SnapshotId id = _workspace.Snapshot();
        Activity create = Assert.Single(stopped, static a => a.OperationName == "aerosnap.snapshot.create");
        Assert.Equal(id.ToString(), create.GetTagItem("aerosnap.snapshot.id"));
        Assert.Equal(
            _workspace.LastResult!.Steps.Select(static s => s.Step.ToString()),
            stopped.Where(a => a.ParentSpanId == create.SpanId).Select(static a => a.OperationName));

        stopped.Clear();
        Assert.Throws<SnapshotException>(() => new TestDataDirectoryAdapter(_workspace).Create(Faults.FailAt(SnapshotStep.WriteManifest)));
        Activity failed = Assert.Single(stopped, static a => a.OperationName == "aerosnap.snapshot.create");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal(SnapshotErrorCode.IO, failed.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, stopped.Single(a => a.OperationName == "WriteManifest").Status);
    }

    [Fact]
    public void Nothing_is_allocated_for_telemetry_when_nobody_listens()
    {
        _workspace.WriteTypicalData();
        _workspace.Snapshot(); // warm up every path once
        SnapshotResult result = _workspace.LastResult!;
        Assert.False(SnapshotTelemetry.Source.HasListeners());
        Assert.False(OperationTelemetry.Create.Duration.Enabled);
        var failure = new SnapshotException(SnapshotErrorCode.IO, "x", SnapshotStep.CopyStorage);

        for (int warm = 0; warm < 3; warm++)
        {
            RecordEverything(result, failure);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            RecordEverything(result, failure);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // What the attempt frame records for every operation, and what create, capture and prune add.
    private static void RecordEverything(SnapshotResult result, SnapshotException failure)
    {
        using Activity? activity = OperationTelemetry.Create.Start();
        OperationTelemetry.Create.Succeeded(TimeSpan.FromSeconds(1), activity, "success");
        SnapshotTelemetry.RecordCreated(result, activity);
        SnapshotTelemetry.RecordCaptured(result.Pause, result.StorageCopy, activity);
        OperationTelemetry.Create.Failed(Stopwatch.GetTimestamp(), activity, failure);
        OperationTelemetry.Verify.Succeeded(TimeSpan.FromSeconds(1), activity, "valid");
        SnapshotTelemetry.SnapshotsPruned.Add(1);
    }

    /// <summary>Creates a snapshot of the workspace with options of the test's choosing.</summary>
    private sealed class TestDataDirectoryAdapter(ReadSideWorkspace workspace)
    {
        public SnapshotResult Create(SnapshotOptions options) => workspace.Snapshot(options);
    }

    private sealed record Measurement(double Value, Dictionary<string, object?> Tags);

    /// <summary>A MeterListener on the library's meter, recording every measurement with its tags.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Instrument, Measurement Measurement)> _seen = [];
        private readonly Dictionary<string, Histogram<double>> _histograms = [];

        public Measurements()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SnapshotTelemetry.Name)
                {
                    if (instrument is Histogram<double> histogram)
                    {
                        lock (_seen)
                        {
                            _histograms[instrument.Name] = histogram;
                        }
                    }

                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.Start();
        }

        /// <summary>The bucket boundaries the instrument advises exporters to use, or null.</summary>
        public IReadOnlyList<double>? BucketsOf(string instrument)
        {
            lock (_seen)
            {
                return _histograms.TryGetValue(instrument, out Histogram<double>? histogram) ? histogram.Advice?.HistogramBucketBoundaries : null;
            }
        }

        public List<Measurement> Of(string instrument)
        {
            lock (_seen)
            {
                return [.. _seen.Where(s => s.Instrument == instrument).Select(static s => s.Measurement)];
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            lock (_seen)
            {
                _seen.Add((instrument.Name, new Measurement(value, copy)));
            }
        }
    }
}

using System.Diagnostics.Metrics;
using System.Reflection;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Creation;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.PackageConsumer.Tests;

/// <summary>
/// The library as a consumer gets it from the package: it restores, builds against the public API
/// only, takes and verifies a real snapshot, and its meter can be listened to.
/// </summary>
public sealed class PackagedLibraryTests : IDisposable
{
    private readonly string _data = Path.Join(Path.GetTempPath(), "aerosnap-consumer-" + Guid.NewGuid().ToString("N")[..12]);

    public PackagedLibraryTests()
    {
        Directory.CreateDirectory(Path.Join(_data, "metadata", "schemas", "users"));
        File.WriteAllBytes(Path.Join(_data, "storage.dat"), [.. Enumerable.Range(0, 100_000).Select(static i => (byte)i)]);
        File.WriteAllText(Path.Join(_data, "metadata", "schemas", "users", "user_v1.json"), """{"type":"object"}""");
    }

    public void Dispose()
    {
        foreach (string file in Directory.EnumerateFiles(_data, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public void The_library_comes_from_the_package_not_a_project_reference()
    {
        // The dependency file says how each assembly was resolved: "package" or "project".
        string depsFile = Path.Join(AppContext.BaseDirectory, Assembly.GetExecutingAssembly().GetName().Name + ".deps.json");
        using var deps = System.Text.Json.JsonDocument.Parse(File.ReadAllText(depsFile));
        System.Text.Json.JsonProperty library = deps.RootElement.GetProperty("libraries").EnumerateObject()
            .Single(static p => p.Name.StartsWith("AeroSnapshot.Fast/", StringComparison.Ordinal));

        Assert.Equal("package", library.Value.GetProperty("type").GetString());
        Assert.Equal(typeof(SnapshotManager).Assembly.GetName().Version!.ToString(3), library.Name["AeroSnapshot.Fast/".Length..]);
    }

    [Fact]
    public void A_consumer_takes_and_verifies_a_snapshot_and_reads_a_metric()
    {
        long created = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "AeroSnapshot.Fast" && instrument.Name == "aerosnap.snapshot.created")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref created, value));
        listener.Start();

        using var manager = new SnapshotManager();
        var executionLock = new GlobalExecutionLock();
        SnapshotResult result;
        using (executionLock.Acquire())
        {
            result = manager.CreateSnapshot(_data, Path.Join(_data, "storage.dat"), Path.Join(_data, "metadata", "schemas"), WalDurability.None, executionLock);
        }

        VerificationReport report = manager.Verify(result.Directory);

        Assert.True(report.IsValid);
        Assert.Equal(3, result.Files);
        Assert.Equal(1, Interlocked.Read(ref created));
        Assert.Equal(result.Id, manager.DiscoverNewestValid(_data).SelectedId);
    }
}

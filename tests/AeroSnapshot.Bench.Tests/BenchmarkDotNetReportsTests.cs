using AeroSnapshot.Regress;

namespace AeroSnapshot.Bench.Tests;

public sealed class BenchmarkDotNetReportsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aerosnap-regress-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // The shape JsonExporter.Full writes (BenchmarkDotNet 0.15), trimmed to what the reader uses.
    private string WriteReport(string launch, long allocated, params (string Stage, long Operations, double Nanoseconds)[] measurements)
    {
        string directory = Path.Join(_root, launch, "results");
        Directory.CreateDirectory(directory);
        string rows = string.Join(",", measurements.Select(m =>
            $$"""{"IterationMode":"Workload","IterationStage":"{{m.Stage}}","LaunchIndex":1,"IterationIndex":1,"Operations":{{m.Operations}},"Nanoseconds":{{m.Nanoseconds}}}"""));
        string json = $$"""
            {"Title":"t","Benchmarks":[{"FullName":"Ns.Type.Method","Memory":{"BytesAllocatedPerOperation":{{allocated}}},
             "Measurements":[{"IterationMode":"Overhead","IterationStage":"Actual","Operations":4,"Nanoseconds":4},{{rows}}]}]}
            """;
        File.WriteAllText(Path.Join(directory, "Ns.Type-report-full.json"), json);
        return Path.Join(_root, launch);
    }

    [Fact]
    public void Each_launch_gives_the_median_of_its_actual_workload_iterations_in_nanoseconds_per_operation()
    {
        string first = WriteReport("1", 0, ("Actual", 100, 1000), ("Actual", 100, 1200), ("Warmup", 100, 9999), ("Result", 100, 1));
        string second = WriteReport("2", 0, ("Actual", 50, 600));
        BenchmarkSamples samples = BenchmarkDotNetReports.Load([first, second])["Ns.Type.Method"];
        // Launch 1: iterations of 10 and 12 ns per operation (Harrell-Davis median 11); launch 2: 12.
        Assert.Equal(2, samples.NanosecondsPerOperation.Count);
        Assert.Equal(11.0, samples.NanosecondsPerOperation[0], 1e-6);
        Assert.Equal(12.0, samples.NanosecondsPerOperation[1], 1e-6);
        Assert.Equal(3, samples.Iterations);
        Assert.Equal(0, samples.AllocatedBytesPerOperation);
    }

    [Fact]
    public void The_largest_allocation_of_any_launch_is_kept()
    {
        string first = WriteReport("1", 0, ("Actual", 1, 1));
        string second = WriteReport("2", 32, ("Actual", 1, 1));
        Assert.Equal(32, BenchmarkDotNetReports.Load([first, second])["Ns.Type.Method"].AllocatedBytesPerOperation);
    }

    [Fact]
    public void A_report_that_is_not_benchmark_json_is_refused_with_its_path()
    {
        string directory = Path.Join(_root, "bad");
        Directory.CreateDirectory(directory);
        string file = Path.Join(directory, "x-report-full.json");
        File.WriteAllText(file, "{\"Title\":1}");
        InvalidDataException error = Assert.Throws<InvalidDataException>(() => BenchmarkDotNetReports.Load([directory]));
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_per_thread_allocation_probe_overrides_the_in_process_count()
    {
        // BenchmarkDotNet in process read 37 B (other threads); the probe on the benchmark's thread read 0.
        string first = WriteReport("1", 37, ("Actual", 1, 1));
        File.WriteAllText(
            Path.Join(first, "results", BenchmarkDotNetReports.AllocationsFileName),
            """{"Benchmarks":[{"FullName":"Ns.Type.Method","BytesAllocatedPerOperation":0}]}""");
        Assert.Equal(0, BenchmarkDotNetReports.Load([first])["Ns.Type.Method"].AllocatedBytesPerOperation);
    }
}

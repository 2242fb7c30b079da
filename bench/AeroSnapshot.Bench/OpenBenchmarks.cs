using AeroSnapshot.Bench.Infrastructure;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.IO.Interop;
using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;

namespace AeroSnapshot.Bench;

/// <summary>
/// The per-file cost of opening a schema source, 2,000 cached files per invocation: the runtime's
/// <see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/> (which
/// adds fstat, an advisory flock and an lseek to the open) against the library's raw open, with and
/// without the statx that the library needs anyway to refuse what is not a regular file.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CpuBenchmarkConfig))]
public class OpenBenchmarks
{
    private BenchData _data = null!;
    private string[] _files = [];

    [Params(2000)]
    public int Files { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int files = BenchmarkSettings.Short ? 20 : Files;
        _data = new BenchData("open", 4096, files, 512);
        _files = Directory.GetFiles(_data.SchemaDirectory, "*", SearchOption.AllDirectories);
        PageCache.Warm(_data.SchemaDirectory);
    }

    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();

    [Benchmark(Baseline = true, Description = "File.OpenHandle")]
    public void RuntimeOpen()
    {
        foreach (string file in _files)
        {
            using SafeFileHandle handle = File.OpenHandle(file);
        }
    }

    [Benchmark(Description = "open(2) + statx (NativeFile.OpenRegularForRead)")]
    public void LibraryOpen()
    {
        foreach (string file in _files)
        {
            using SafeFileHandle handle = NativeFile.OpenRegularForRead(file, out _);
        }
    }

    [Benchmark(Description = "open(2) alone")]
    public void RawOpen()
    {
        foreach (string file in _files)
        {
            int fd = Sys.Open(file, OpenFlags.ReadOnly | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0);
            _ = Sys.Close(fd);
        }
    }
}

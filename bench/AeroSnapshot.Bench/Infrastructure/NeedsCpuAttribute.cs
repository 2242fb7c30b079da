using AeroSnapshot.Fast.Hashing;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;

namespace AeroSnapshot.Bench.Infrastructure;

/// <summary>An instruction-set path of the library that only some CPUs can run.</summary>
public enum CpuPath
{
    /// <summary>VPCLMULQDQ on 512-bit registers (AVX-512): <see cref="Crc32Fold512"/>.</summary>
    Fold512,

    /// <summary>VPCLMULQDQ on 256-bit registers: <see cref="Crc32Fold256"/>.</summary>
    Fold256,
}

/// <summary>
/// A benchmark of a kernel the CPU may lack: <see cref="CpuPathFilter"/> leaves it out, and says so,
/// where the CPU (or a <c>DOTNET_Enable*</c> switch) does not offer it, instead of letting it throw
/// <see cref="PlatformNotSupportedException"/> and fail the run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NeedsCpuAttribute(CpuPath path) : Attribute
{
    public CpuPath Path { get; } = path;
}

/// <summary>Keeps the benchmarks this CPU can run and prints the others, with the reason, on stderr.</summary>
public sealed class CpuPathFilter : IFilter
{
    private readonly HashSet<string> _reported = [];

    public bool Predicate(BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttributes(typeof(NeedsCpuAttribute), inherit: false) is not [NeedsCpuAttribute needs]
            || IsAvailable(needs.Path))
        {
            return true;
        }

        string name = $"{benchmarkCase.Descriptor.Type.Name}.{benchmarkCase.Descriptor.WorkloadMethodDisplayInfo}";
        if (_reported.Add(name))
        {
            Console.Error.WriteLine($"skipped {name}: needs {Describe(needs.Path)}, which this CPU or the runtime's DOTNET_Enable* switches do not offer");
        }

        return false;
    }

    public static bool IsAvailable(CpuPath path) => path switch
    {
        CpuPath.Fold512 => Crc32Fold512.IsSupported,
        CpuPath.Fold256 => Crc32Fold256.IsSupported,
        _ => throw new ArgumentOutOfRangeException(nameof(path), path, null),
    };

    private static string Describe(CpuPath path) => path switch
    {
        CpuPath.Fold512 => "AVX-512 VPCLMULQDQ",
        _ => "256-bit VPCLMULQDQ",
    };
}

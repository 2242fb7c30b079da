using System.Globalization;
using SharpFuzz;

namespace AeroSnapshot.Fuzz;

/// <summary>
/// Fuzzing harness for the library's document readers (see <see cref="Target"/>). How to run it
/// for hours, with and without a native driver, is in docs/RELIABILITY.md (suite 7).
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: AeroSnapshot.Fuzz <mode>
          libfuzzer                  under libfuzzer-dotnet (instrument AeroSnapshot.Fast.dll with sharpfuzz first);
                                     chosen by itself, without arguments, when __LIBFUZZER_SHM_ID is set
          afl                        under afl-fuzz (AFL fork server protocol; same instrumentation);
                                     chosen by itself, without arguments, when __AFL_SHM_ID is set
          seeds <dir>                write the seed corpus (valid manifests and a checkpoint marker)
          replay <file|dir>...       run each input once with the per-case budget; exit 1 if any fails
          random [--seconds N] [--seed N] [--corpus DIR] [--findings DIR] [--keep DIR]
                                     in-process mutation for N seconds (default 60), coverage-guided when
                                     the library is instrumented; inputs that add coverage go to
                                     --keep (resume with --corpus), findings are
                                     saved as files for replay; exit 1 if there were any
        """;

    private static int Main(string[] args)
    {
        // libfuzzer-dotnet and afl-fuzz start "dotnet AeroSnapshot.Fuzz.dll" with no room for a mode
        // argument; they announce themselves through the shared-memory id they set.
        if (args.Length == 0 && Environment.GetEnvironmentVariable("__LIBFUZZER_SHM_ID") is not null)
        {
            args = ["libfuzzer"];
        }
        else if (args.Length == 0 && Environment.GetEnvironmentVariable("__AFL_SHM_ID") is not null)
        {
            args = ["afl"];
        }

        switch (args)
        {
            case ["libfuzzer", ..]:
                Fuzzer.LibFuzzer.Run(static input => Target.Run(input));
                return 0;
            case ["afl", ..]:
                Fuzzer.Run(static stream =>
                {
                    using var buffer = new MemoryStream();
                    stream.CopyTo(buffer);
                    Target.Run(buffer.ToArray());
                });
                return 0;
            case ["seeds" or "replay" or "random", ..]:
                // In process, an instrumented library needs a coverage map before it runs at all.
                InProcess.InstallCoverageMap();
                return InProcessMode(args);
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static int InProcessMode(string[] args)
    {
        switch (args)
        {
            case ["seeds", string directory]:
                return Seeds.WriteTo(directory);
            case ["replay", .. string[] paths] when paths.Length > 0:
                return InProcess.Replay(paths);
            case ["random", .. string[] options]:
                return RandomMode(options);
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static int RandomMode(string[] options)
    {
        double seconds = 60;
        int seed = Environment.TickCount;
        string? corpus = null;
        string findings = "fuzz-findings";
        string? keep = null;
        for (int i = 0; i + 1 < options.Length; i += 2)
        {
            string value = options[i + 1];
            switch (options[i])
            {
                case "--seconds":
                    seconds = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--seed":
                    seed = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--corpus":
                    corpus = value;
                    break;
                case "--findings":
                    findings = value;
                    break;
                case "--keep":
                    keep = value;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        return InProcess.Random(seconds, seed, corpus, findings, keep);
    }
}

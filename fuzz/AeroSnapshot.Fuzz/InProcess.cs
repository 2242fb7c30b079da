using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Trace = SharpFuzz.Common.Trace;

namespace AeroSnapshot.Fuzz;

/// <summary>
/// The fallback when no native fuzzing driver is at hand: <c>replay</c> runs the target once on
/// each file of a corpus (or on saved findings), <c>random</c> mutates a corpus for a given time,
/// checking the same property as the drivers with the per-case budget and saving every finding
/// as a file to replay.
/// </summary>
/// <remarks>
/// When <c>AeroSnapshot.Fast.dll</c> has been instrumented with <c>sharpfuzz</c>, its branches
/// count into <see cref="Trace.SharedMem"/>, which the drivers normally provide; here a map of our
/// own is installed (without one, instrumented code dereferences null), and the random mode keeps
/// every input that reaches a new edge or hit-count bucket, as AFL does: coverage-guided, in
/// process. Uninstrumented, the map stays empty and inputs a reader accepts are kept instead.
/// </remarks>
internal static unsafe class InProcess
{
    private const int MapSize = 1 << 16; // SharpFuzz's (and AFL's) map size

    private static byte* _map;
    // Bytes that change JSON structure or UTF-8 validity.
    private static readonly byte[] Interesting =
        [.. "\"\\{}[],:u0-9.eE+ \n\t/"u8, 0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF];

    /// <summary>Gives instrumented code a coverage map to count into; call before any library code runs.</summary>
    public static void InstallCoverageMap()
    {
        _map = (byte*)NativeMemory.AllocZeroed(MapSize);
        Trace.SharedMem = _map;
        Trace.PrevLocation = 0;
    }

    public static int Replay(IEnumerable<string> paths)
    {
        int files = 0;
        int failures = 0;
        foreach (string file in paths.SelectMany(static p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p]).Order(StringComparer.Ordinal))
        {
            files++;
            if (Budget.Check(File.ReadAllBytes(file)) is { } problem)
            {
                failures++;
                Console.WriteLine($"FAIL {file}: {problem}");
            }
        }

        Console.WriteLine($"replayed {files} inputs: {failures} failed");
        return failures == 0 && files > 0 ? 0 : 1;
    }

    public static int Random(double seconds, int seed, string? corpusDirectory, string findingsDirectory, string? keepDirectory)
    {
        List<byte[]> corpus = corpusDirectory is null
            ? Seeds.All()
            : Directory.EnumerateFiles(corpusDirectory, "*", SearchOption.AllDirectories).Select(File.ReadAllBytes).ToList();
        if (corpus.Count == 0)
        {
            Console.Error.WriteLine($"the corpus {corpusDirectory} is empty");
            return 2;
        }

        byte[] seen = new byte[MapSize];
        foreach (byte[] input in corpus)
        {
            _ = Run(input, seen);
        }

        bool instrumented = seen.AsSpan().IndexOfAnyExcept((byte)0) >= 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"random mutation for {seconds} s, seed {seed}, {corpus.Count} corpus inputs, {(instrumented ? "coverage-guided (instrumented library)" : "blind (library not instrumented)")}, findings to {findingsDirectory}"));
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        TimeSpan deadline = TimeSpan.FromSeconds(seconds);
        TimeSpan nextReport = TimeSpan.FromSeconds(10);
        long executions = 0;
        int findings = 0;
        int grown = 0;
        while (clock.Elapsed < deadline)
        {
            byte[] input = Mutate(random, corpus);
            executions++;
            (string? problem, bool newCoverage) = Run(input, seen);
            if (problem is not null)
            {
                findings++;
                Directory.CreateDirectory(findingsDirectory);
                string path = Path.Join(findingsDirectory, "finding-" + Convert.ToHexStringLower(SHA256.HashData(input))[..16]);
                File.WriteAllBytes(path, input);
                Console.WriteLine($"FINDING {path}: {problem}");
            }
            else if (corpus.Count < 50_000 && input.Length <= 64 * 1024 && (instrumented ? newCoverage : Accepted(input)))
            {
                corpus.Add(input);
                grown++;
                if (keepDirectory is not null)
                {
                    // Saved as found, so a later run resumes with --corpus from here.
                    Directory.CreateDirectory(keepDirectory);
                    File.WriteAllBytes(Path.Join(keepDirectory, "input-" + Convert.ToHexStringLower(SHA256.HashData(input))[..16]), input);
                }
            }

            if (clock.Elapsed >= nextReport)
            {
                Report(clock.Elapsed, executions, grown, findings);
                nextReport += TimeSpan.FromSeconds(10);
            }
        }

        Report(clock.Elapsed, executions, grown, findings);
        return findings == 0 ? 0 : 1;
    }

    private static void Report(TimeSpan elapsed, long executions, int grown, int findings)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:F0} s: {executions} executions ({executions / Math.Max(elapsed.TotalSeconds, 0.001):F0}/s), {grown} inputs added to the corpus, {findings} findings"));

    /// <summary>Runs one input on a cleared map; reports a problem, and whether it reached a new edge or bucket.</summary>
    private static (string? Problem, bool NewCoverage) Run(byte[] input, byte[] seen)
    {
        NativeMemory.Clear(_map, MapSize);
        Trace.PrevLocation = 0;
        string? problem = Budget.Check(input);
        bool found = false;
        var map = new ReadOnlySpan<byte>(_map, MapSize);
        for (int i = map.IndexOfAnyExcept((byte)0); i >= 0; i = Next(map, i + 1))
        {
            byte bucket = Bucket(map[i]);
            if ((seen[i] & bucket) == 0)
            {
                seen[i] |= bucket;
                found = true;
            }
        }

        return (problem, found);

        static int Next(ReadOnlySpan<byte> map, int from)
        {
            int offset = from < map.Length ? map[from..].IndexOfAnyExcept((byte)0) : -1;
            return offset < 0 ? -1 : from + offset;
        }
    }

    // AFL's hit-count buckets: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+.
    private static byte Bucket(byte count) => count switch
    {
        1 => 1,
        2 => 2,
        3 => 4,
        <= 7 => 8,
        <= 15 => 16,
        <= 31 => 32,
        <= 127 => 64,
        _ => 128,
    };

    private static bool Accepted(byte[] input)
    {
        try
        {
            _ = AeroSnapshot.Fast.SnapshotManifest.ReadUtf8(input);
            return true;
        }
        catch (AeroSnapshot.Fast.ManifestFormat.ManifestFormatException)
        {
            return false;
        }
    }

    private static byte[] Mutate(Random random, List<byte[]> corpus)
    {
        var bytes = new List<byte>(corpus[random.Next(corpus.Count)]);
        int mutations = 1 + random.Next(random.Next(2) == 0 ? 2 : 8);
        for (int m = 0; m < mutations; m++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    bytes.Insert(random.Next(bytes.Count + 1), Interesting[random.Next(Interesting.Length)]);
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, 1 + random.Next(Math.Min(16, bytes.Count - at)));
                    break;
                case 4 when bytes.Count > 0:
                    // Duplicate a chunk: repeated keys, deep nesting, long strings.
                    int length = 1 + random.Next(Math.Min(64, bytes.Count - at));
                    bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(at, length));
                    break;
                case 5:
                    // Splice in part of another input.
                    byte[] other = corpus[random.Next(corpus.Count)];
                    if (other.Length > 0)
                    {
                        int from = random.Next(other.Length);
                        bytes.InsertRange(random.Next(bytes.Count + 1), other.AsSpan(from, 1 + random.Next(Math.Min(128, other.Length - from))).ToArray());
                    }

                    break;
                case 6 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at); // a torn write
                    break;
                default:
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                    break;
            }
        }

        return [.. bytes];
    }
}

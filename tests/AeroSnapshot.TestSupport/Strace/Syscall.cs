using System.Globalization;
using System.Text.RegularExpressions;

namespace AeroSnapshot.TestSupport.Strace;

/// <summary>
/// One line of an <c>strace -y</c> log: the call, the paths it acts on in argument order (a
/// descriptor's path, a name, or a directory descriptor's path joined with the relative name after
/// it; <c>AT_FDCWD</c> contributes none; the data string of a read or write is no path), its raw
/// arguments, its result.
/// </summary>
public sealed partial record Syscall(int Index, string Name, IReadOnlyList<string> Paths, string Arguments, long Result, string Line)
{
    public bool Succeeded => Result >= 0;

    /// <summary>The first path argument (a descriptor's or a string's), or empty.</summary>
    public string Path0 => Paths.Count > 0 ? Paths[0] : string.Empty;

    public static List<Syscall> ParseAll(string log)
    {
        var calls = new List<Syscall>();
        foreach (string line in log.Split('\n'))
        {
            // "-f" prefixes each line with the thread id; a call split by another thread's
            // ("<unfinished ...>" / "<... resumed>") is not one the rules need whole, and is skipped.
            Match m = CallLine().Match(line);
            if (!m.Success)
            {
                continue; // signals, "+++ exited", a last line cut by the detach
            }

            string arguments = m.Groups["args"].Value;
            bool carriesData = DataCalls.Contains(m.Groups["name"].Value);
            // Operands: a directory descriptor followed by a relative name is one path (dir/name);
            // a descriptor alone (fsync) or an absolute name (after AT_FDCWD) is a path of its own.
            var paths = new List<string>();
            string? directory = null;
            foreach (Match p in PathArgument().Matches(arguments))
            {
                if (p.Groups["fd"].Success)
                {
                    if (directory is not null)
                    {
                        paths.Add(directory);
                    }

                    directory = Unescape(p.Groups["fd"].Value);
                    continue;
                }

                if (carriesData)
                {
                    continue; // the bytes read or written, not a name
                }

                string name = Unescape(p.Groups["str"].Value);
                paths.Add(directory is not null && !name.StartsWith('/') ? System.IO.Path.Join(directory, name) : name);
                directory = null;
            }

            if (directory is not null)
            {
                paths.Add(directory);
            }

            calls.Add(new Syscall(calls.Count, m.Groups["name"].Value, paths, arguments, long.Parse(m.Groups["ret"].Value, CultureInfo.InvariantCulture), line));
        }

        return calls;
    }

    public override string ToString() => $"#{Index} {Line}";

    /// <summary>Calls whose quoted argument is the data read or written: only their descriptor is a path.</summary>
    private static readonly HashSet<string> DataCalls = new(StringComparer.Ordinal)
    {
        "read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev", "preadv2", "pwritev2",
    };

    /// <summary>strace prints bytes outside printable ASCII as <c>\ooo</c> or <c>\xhh</c>; the tests' paths are plain, so only quotes and backslashes matter.</summary>
    private static string Unescape(string value) => value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?:\d+\s+)?(?<name>[a-z0-9_]+)\((?<args>.*)\)\s+=\s+(?<ret>-?\d+)")]
    private static partial Regex CallLine();

    // A descriptor printed as 5</path> (not AT_FDCWD), or a quoted string argument.
    [GeneratedRegex(@"(?:\b\d+<(?<fd>[^>]*)>)|(?:""(?<str>(?:[^""\\]|\\.)*)"")")]
    private static partial Regex PathArgument();
}

using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using AeroSnapshot.Fast.IO.Interop;
using AeroSnapshot.TestSupport;

namespace AeroSnapshot.Fast.Tests.IO;

/// <summary>
/// Architecture: every system call the library imports that takes a path or a name is either a
/// <c>*at</c> form used relative to a directory descriptor without following a link, or a documented
/// exception with the reason it cannot follow a link (or changes nothing). A new import that takes a
/// path fails here until it is one or the other, with its reason written down: root runs the
/// maintenance commands on directories their owner can change under them (issue 25), and one
/// <c>chmod(path)</c> was enough to change a root-owned directory elsewhere.
/// </summary>
public sealed partial class PathSyscallTests
{
    /// <summary>The <c>*at</c> forms: names relative to a directory descriptor, each called only in its no-follow form (checked below).</summary>
    private static readonly Dictionary<string, string> NoFollowAtForms = new(StringComparer.Ordinal)
    {
        ["openat"] = "relative to a directory descriptor, always with O_NOFOLLOW (or \".\", the directory itself)",
        ["unlinkat"] = "removes the name itself; a link is removed, never followed",
        ["fchmodat"] = "only with AT_SYMLINK_NOFOLLOW, which refuses a link",
        ["renameat2"] = "renames names; a link at either is renamed, never followed",
        ["statx"] = "only with AT_SYMLINK_NOFOLLOW or AT_EMPTY_PATH: the entry itself, or an open descriptor",
        ["faccessat"] = "only with AT_SYMLINK_NOFOLLOW, and it only reads",
    };

    /// <summary>Path forms that cannot follow a link at their last component, or only read.</summary>
    private static readonly Dictionary<string, string> DocumentedExceptions = new(StringComparer.Ordinal)
    {
        ["open"] = "every call passes O_NOFOLLOW, and every creation O_CREAT|O_EXCL, which fails on any existing entry, a link included",
        ["mkdir"] = "never follows a link at its last component: anything there fails with EEXIST",
        ["unlink"] = "removes the name itself: a link is removed, never followed",
        ["rmdir"] = "fails on a link (ENOTDIR); removes only an empty directory",
        ["rename"] = "renames names; a link is renamed, never followed",
        ["link"] = "without AT_SYMLINK_FOLLOW Linux links a link itself, never its target",
        ["statvfs"] = "reads a file system's free space; changes nothing",
    };

    [Fact]
    public void Every_imported_call_that_takes_a_path_is_a_no_follow_at_form_or_a_documented_exception()
    {
        var unexplained = new List<string>();
        foreach ((string entryPoint, string signature) in PathTakingImports())
        {
            if (!NoFollowAtForms.ContainsKey(entryPoint) && !DocumentedExceptions.ContainsKey(entryPoint))
            {
                unexplained.Add($"{entryPoint} ({signature})");
            }
        }

        Assert.True(unexplained.Count == 0, $"path-taking imports that may follow a link, with no reason written down here: {string.Join(", ", unexplained)}");
    }

    [Fact]
    public void The_lists_name_only_calls_the_library_imports_so_no_reason_outlives_its_call()
    {
        HashSet<string> imported = [.. PathTakingImports().Select(static i => i.EntryPoint)];
        string[] stale = [.. NoFollowAtForms.Keys.Concat(DocumentedExceptions.Keys).Where(name => !imported.Contains(name))];
        Assert.True(stale.Length == 0, $"listed but no longer imported: {string.Join(", ", stale)}");
        Assert.Contains("openat", imported);
    }

    [Fact]
    public void Nothing_that_changes_a_file_by_path_while_following_a_link_is_imported()
    {
        HashSet<string> imported = [.. Imports().Select(static i => i.EntryPoint)];
        string[] following = ["chmod", "chown", "lchown", "truncate", "utime", "utimes", "opendir", "setxattr", "removexattr", "remove", "realpath"];
        string[] found = [.. following.Where(imported.Contains)];
        Assert.True(found.Length == 0, $"imported: {string.Join(", ", found)}");
    }

    [Fact]
    public void Every_call_of_an_at_form_in_the_library_passes_its_no_follow_flag()
    {
        // From the repository, not [CallerFilePath]: CI builds with ContinuousIntegrationBuild, which
        // maps source paths to /_/ (a CI run failed here on that alone).
        string library = Path.Join(TestSuiteRules.RepositoryRoot(), "src", "AeroSnapshot.Fast");
        var findings = new List<string>();
        int calls = 0;
        foreach (string file in Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            string text = File.ReadAllText(file);
            foreach (Match call in AtCall().Matches(text))
            {
                calls++;
                string arguments = call.Groups["arguments"].Value;
                bool noFollow = call.Groups["name"].Value switch
                {
                    "OpenAt" => arguments.Contains("NoFollow", StringComparison.Ordinal) || arguments.Contains("\".\"", StringComparison.Ordinal),
                    "FChmodAt" or "FAccessAt" => arguments.Contains("AtSymlinkNoFollow", StringComparison.Ordinal),
                    "Statx" => arguments.Contains("AtSymlinkNoFollow", StringComparison.Ordinal) || arguments.Contains("AtEmptyPath", StringComparison.Ordinal),
                    _ => true,
                };
                if (!noFollow)
                {
                    findings.Add($"{Path.GetFileName(file)}: Sys.{call.Groups["name"].Value}({arguments})");
                }
            }
        }

        Assert.True(calls >= 10, $"only {calls} calls found under {library}: the scan is looking in the wrong place");
        Assert.True(findings.Count == 0, "calls without their no-follow flag:\n" + string.Join('\n', findings));
    }

    private static IEnumerable<(string EntryPoint, string Signature)> PathTakingImports()
        => Imports()
            .Where(static i => i.Method.GetParameters().Any(static p => p.ParameterType == typeof(string) || p.ParameterType == typeof(byte*)))
            .Select(static i => (i.EntryPoint, i.Signature));

    private static IEnumerable<(string EntryPoint, string Signature, MethodInfo Method)> Imports()
    {
        foreach (MethodInfo method in typeof(Sys).GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
        {
            if (method.GetCustomAttribute<LibraryImportAttribute>() is { } import)
            {
                string signature = $"Sys.{method.Name}({string.Join(", ", method.GetParameters().Select(static p => p.ParameterType.Name))})";
                yield return (import.EntryPoint ?? method.Name, signature, method);
            }
        }
    }

    /// <summary>A call and the rest of its statement (flags may sit in a variable declared with the name saying so).</summary>
    [GeneratedRegex(@"Sys\.(?<name>OpenAt|FChmodAt|FAccessAt|Statx)\((?<arguments>[^;]*);")]
    private static partial Regex AtCall();
}

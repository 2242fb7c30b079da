using System.Reflection;
using System.Text.RegularExpressions;

namespace AeroSnapshot.Fast.Tests.Model;

/// <summary>
/// <see cref="SnapshotException.Invariant"/> carries only the specification's invariant ids (D2,
/// K2, F2…); a sentence belongs in <see cref="SnapshotException.Rule"/>. Every throw site's
/// <c>invariant:</c> argument in the library and the tool is read from the source and checked, as
/// is every code's default and every constant that feeds one, so a new throw site that puts words
/// there fails here.
/// </summary>
public sealed partial class InvariantIdTests
{
    /// <summary>The ids AeroDB's specification defines (CORE_INVARIANTS.md, CORE_RELIABILITY.md).</summary>
    private static readonly HashSet<string> SpecificationIds =
    [
        "D1", "D2", "D3", "R0", "R1", "R2", "R3", "S1", "S2", "S3", "S4", "Q1", "Q2", "Q3", "T1", "T2", "T3",
        "F1", "F2", "F3", "O1", "O2", "O3", "E1", "E2", "E3", "C1", "C2", "C3", "K1", "K2", "U1", "U2",
    ];

    [Fact]
    public void Every_invariant_argument_at_a_throw_site_is_an_id_of_the_specification()
    {
        Dictionary<string, string> constants = InvariantConstants();
        var sites = new List<string>();
        foreach (string file in Directory.EnumerateFiles(SourceDirectory(), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains("/obj/", StringComparison.Ordinal) || file.Contains("/bin/", StringComparison.Ordinal))
            {
                continue;
            }

            string text = File.ReadAllText(file);
            foreach (Match match in InvariantArgument().Matches(text))
            {
                string value = match.Groups["value"].Value;
                string where = $"{Path.GetRelativePath(SourceDirectory(), file)}: invariant: {value}";
                sites.Add(where);
                if (value == "null")
                {
                    continue;
                }

                string? id = value.StartsWith('"')
                    ? value.Trim('"')
                    : constants.GetValueOrDefault(value[(value.LastIndexOf('.') + 1)..]);
                Assert.True(id is not null, $"{where}: not a string literal or a known constant; give the id literally");
                Assert.True(SpecificationIds.Contains(id!), $"{where}: '{id}' is not an invariant id of the specification (a sentence goes to rule:)");
            }
        }

        Assert.True(sites.Count >= 3, $"the scan found only {sites.Count} invariant arguments: is it reading the source? {string.Join("; ", sites)}");
    }

    [Fact]
    public void Every_code_maps_to_an_id_or_to_none()
    {
        foreach (FieldInfo field in typeof(SnapshotErrorCode).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            string? id = SnapshotException.InvariantFor((string)field.GetValue(null)!);
            Assert.True(id is null || SpecificationIds.Contains(id), $"{field.Name} maps to '{id}'");
        }
    }

    /// <summary>String constants of the library named like an invariant, by name; each must itself be an id.</summary>
    private static Dictionary<string, string> InvariantConstants()
    {
        var constants = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Type type in typeof(SnapshotException).Assembly.GetTypes())
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            {
                if (field.IsLiteral && field.FieldType == typeof(string) && field.Name.Contains("Invariant", StringComparison.Ordinal))
                {
                    string value = (string)field.GetRawConstantValue()!;
                    Assert.True(SpecificationIds.Contains(value), $"{type.Name}.{field.Name} = '{value}' is not an invariant id");
                    constants[field.Name] = value;
                }
            }
        }

        return constants;
    }

    /// <summary>The repository's <c>src/</c>, found from the test assembly upwards (the tests run inside the repository).</summary>
    private static string SourceDirectory()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "AeroSnapshot.Fast.sln")))
            {
                return Path.Join(directory.FullName, "src");
            }
        }

        throw new InvalidOperationException($"No AeroSnapshot.Fast.sln above {AppContext.BaseDirectory}: the source scan needs the repository.");
    }

    // A named argument `invariant:` (after a '(' or ',', so not the word inside a message) and what
    // follows it: a string literal, or an identifier path. Anything else (an interpolation, a
    // conditional) matches with an empty value and fails.
    [GeneratedRegex("""(?<=[(,]\s*)invariant:\s*(?<value>"[^"\r\n]*"|[A-Za-z_][A-Za-z0-9_.]*|)""")]
    private static partial Regex InvariantArgument();
}

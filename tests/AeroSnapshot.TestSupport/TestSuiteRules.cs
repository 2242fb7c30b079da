using System.Reflection;
using System.Text.RegularExpressions;
using AeroSnapshot.TestSupport.Requirements;
using Xunit.Sdk;

namespace AeroSnapshot.TestSupport;

/// <summary>
/// The rules that keep a test suite green on a machine without the optional tools, checked by a test
/// in each suite: every test is requirement-aware, and every child process starts through
/// <see cref="ExternalCommand.Start"/>, where a missing program becomes a skip.
/// </summary>
public static partial class TestSuiteRules
{
    /// <summary>Every test method of <paramref name="assembly"/> whose attribute would not turn a missing requirement into a skip.</summary>
    public static IReadOnlyList<string> TestsNotRequirementAware(Assembly assembly) =>
    [
        .. from type in assembly.GetTypes()
           from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
           from attribute in method.GetCustomAttributes<Xunit.FactAttribute>(inherit: false)
           where !IsRequirementAware(attribute.GetType())
           select $"{type.FullName}.{method.Name}: [{attribute.GetType().Name}]",
    ];

    /// <summary>
    /// Lines of the C# files under <paramref name="directory"/> (bin/ and obj/ left out) that start a
    /// process other than through <see cref="ExternalCommand.Start"/>, as "path:line: text".
    /// </summary>
    public static IReadOnlyList<string> ProcessStartsOutsideExternalCommand(string directory)
    {
        var found = new List<string>();
        foreach (string file in Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(directory, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(static part => part is "bin" or "obj")
                || Path.GetFileName(file) == "ExternalCommand.cs")
            {
                continue;
            }

            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (ProcessStart().IsMatch(lines[i]) && !lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
                {
                    found.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        return found;
    }

    /// <summary>The repository's root: the nearest directory above the test assembly that holds the solution file.</summary>
    public static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "AeroSnapshot.Fast.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no AeroSnapshot.Fast.sln above {AppContext.BaseDirectory}");
    }

    // xunit uses the discoverer named on the attribute's type or, failing that, on its nearest base.
    private static bool IsRequirementAware(Type attributeType)
    {
        for (Type? type = attributeType; type is not null; type = type.BaseType)
        {
            CustomAttributeData? discoverer = CustomAttributeData.GetCustomAttributes(type)
                .SingleOrDefault(static a => a.AttributeType == typeof(XunitTestCaseDiscovererAttribute));
            if (discoverer is not null)
            {
                return discoverer.ConstructorArguments[0].Value is "AeroSnapshot.TestSupport.Requirements." + nameof(RequirementAwareFactDiscoverer)
                    or "AeroSnapshot.TestSupport.Requirements." + nameof(RequirementAwareTheoryDiscoverer);
            }
        }

        return false;
    }

    [GeneratedRegex(@"\bProcess\.Start\s*\(|\bnew\s+Process\s*\(\s*\)")]
    private static partial Regex ProcessStart();
}

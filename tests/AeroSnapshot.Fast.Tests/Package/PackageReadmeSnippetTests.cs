using System.Text.RegularExpressions;
using AeroSnapshot.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AeroSnapshot.Fast.Tests.Package;

/// <summary>
/// The package README's C# snippets compile as written (issue 27): all of them, in order, as one
/// program of a consumer project with the SDK's implicit usings and nullable on, against this build
/// of the library. A snippet that drifts from the API fails here, not in a user's editor.
/// </summary>
public sealed partial class PackageReadmeSnippetTests
{
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [Fact]
    public void Every_csharp_snippet_of_the_package_readme_compiles_against_the_library()
    {
        string readme = File.ReadAllText(Path.Join(TestSuiteRules.RepositoryRoot(), "src", "AeroSnapshot.Fast", "README.md"));
        List<string> snippets = [.. CSharpBlock().Matches(readme).Select(static match => match.Groups["code"].Value)];
        Assert.True(snippets.Count >= 5, $"expected the README's snippets, found {snippets.Count}");

        // Namespace usings go first, as a file needs them; everything else runs in README order.
        var usings = new SortedSet<string>(StringComparer.Ordinal);
        var body = new List<string>();
        foreach (string line in snippets.SelectMany(static snippet => snippet.Split('\n')))
        {
            if (NamespaceUsing().IsMatch(line))
            {
                usings.Add(NamespaceUsing().Match(line).Groups["ns"].Value);
            }
            else
            {
                body.Add(line);
            }
        }

        string program = string.Join('\n', usings.Select(static ns => $"using {ns};")) + "\n" + string.Join('\n', body);
        Diagnostic[] errors = Compile(program).Where(static d => d.Severity == DiagnosticSeverity.Error).ToArray();

        Assert.True(errors.Length == 0, string.Join('\n', errors.Select(static e => e.ToString())) + "\n--- the program compiled ---\n" + program);
    }

    private static System.Collections.Immutable.ImmutableArray<Diagnostic> Compile(string program)
    {
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        IEnumerable<MetadataReference> references = platform
            .Append(typeof(SnapshotManager).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(static path => MetadataReference.CreateFromFile(path));
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "PackageReadmeSnippets",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, parse), CSharpSyntaxTree.ParseText(program, parse)],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var output = new MemoryStream();
        return compilation.Emit(output).Diagnostics;
    }

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"^using (?<ns>[A-Za-z_][\w.]*);")]
    private static partial Regex NamespaceUsing();
}

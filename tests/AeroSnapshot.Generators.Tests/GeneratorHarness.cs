using System.Collections.Immutable;
using AeroSnapshot.Fast;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AeroSnapshot.Generators.Tests;

/// <summary>Compiles sample sources and runs <see cref="JsonDocumentGenerator"/> over them, as the compiler would.</summary>
internal static class GeneratorHarness
{
    /// <summary>
    /// Doc comments are checked as in the library's build (GenerateDocumentationFile), so malformed
    /// XML in generated comments shows up as a warning here too.
    /// </summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>
    /// The running framework's assemblies plus the library itself, so samples compile against exactly
    /// what the generated code will meet in a real build.
    /// </summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        IEnumerable<string> paths = trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(typeof(SnapshotManifest).Assembly.Location);

        // The test host's list already holds the library; one reference per assembly name.
        return [.. paths
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }

    // The library lets this assembly name see its internal JSON attributes, writer and reader.
    public static CSharpCompilation Compile(params string[] sources) => CSharpCompilation.Create(
        "AeroSnapshot.Generators.Tests.Samples",
        sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Sample{i}.cs")),
        References.Value,
        new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            // The SDK suppresses these two by default (NoWarn 1701;1702): they only say that an
            // assembly version was unified, which the test host's mix of assemblies makes routine.
            specificDiagnosticOptions:
            [
                new("CS1701", ReportDiagnostic.Suppress),
                new("CS1702", ReportDiagnostic.Suppress),

                // Sample sources are not documented; generated members are, and CS1570-CS1574 still apply.
                new("CS1591", ReportDiagnostic.Suppress),
            ]));

    public static GeneratorDriver CreateDriver(bool trackSteps = false) => CSharpGeneratorDriver.Create(
        [new JsonDocumentGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator and returns its result together with the compilation that includes its output.</summary>
    public static (GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics) Run(params string[] sources)
    {
        CSharpCompilation input = Compile(sources);
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (driver.GetRunResult().Results.Single(), output, diagnostics);
    }

    /// <summary>Diagnostics of warning severity or above, from the generator or from compiling its output.</summary>
    public static IReadOnlyList<Diagnostic> Problems(Compilation output, IEnumerable<Diagnostic> generatorDiagnostics)
        => [.. generatorDiagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity >= DiagnosticSeverity.Warning)];

    public static string Describe(IEnumerable<Diagnostic> diagnostics) => string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()));
}

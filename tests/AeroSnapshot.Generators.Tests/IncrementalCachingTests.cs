using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AeroSnapshot.Generators.Tests;

/// <summary>
/// The generator runs on every keystroke in an IDE: when nothing about a document changed, its
/// pipeline step must come back from the cache instead of being parsed and emitted again.
/// </summary>
public sealed class IncrementalCachingTests
{
    private const string Document = """
        using AeroSnapshot.Fast;
        using AeroSnapshot.Fast.ManifestFormat;
        namespace Samples;

        [JsonDocument(DocumentName = "doc.json")]
        public partial class Doc
        {
            [JsonField("id")] public required SnapshotId Id { get; init; }
            [JsonField("map")] public required ChecksumMap Map { get; init; }
            [JsonField("boundary")] public ulong? Boundary { get; init; }
        }

        [JsonDocument]
        public partial class Broken
        {
            [JsonField("x")] public double X { get; init; }
        }
        """;

    private static readonly IncrementalStepRunReason[] CachedReasons = [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged];

    private static GeneratorRunResult RunTwice(Compilation first, Compilation second)
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(first);
        return driver.RunGenerators(second).GetRunResult().Results.Single();
    }

    private static IncrementalStepRunReason[] DocumentsStepReasons(GeneratorRunResult result)
        => [.. result.TrackedSteps[TrackingNames.Documents].SelectMany(step => step.Outputs).Select(output => output.Reason)];

    [Fact]
    public void Second_run_on_the_same_compilation_reports_the_documents_step_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Document);

        GeneratorRunResult second = RunTwice(compilation, compilation.Clone());

        IncrementalStepRunReason[] reasons = DocumentsStepReasons(second);
        Assert.Equal(2, reasons.Length);
        Assert.All(reasons, reason => Assert.Contains(reason, CachedReasons));
        Assert.All(
            second.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void Adding_an_unrelated_file_leaves_the_documents_step_cached_or_unchanged()
    {
        // A new compilation means new symbols: only models with value equality come back Unchanged.
        CSharpCompilation compilation = GeneratorHarness.Compile(Document);
        CSharpCompilation edited = compilation.AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { }", GeneratorHarness.ParseOptions));

        GeneratorRunResult second = RunTwice(compilation, edited);

        Assert.All(DocumentsStepReasons(second), reason => Assert.Contains(reason, CachedReasons));
    }

    [Fact]
    public void Changing_a_document_reruns_its_step_as_modified()
    {
        // The counterpart of the caching tests: they would pass vacuously if nothing was ever re-run.
        CSharpCompilation compilation = GeneratorHarness.Compile(Document);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SyntaxTree changed = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            Document.Replace("[JsonField(\"boundary\")]", "[JsonField(\"commit_boundary\")]", StringComparison.Ordinal)));

        GeneratorRunResult second = RunTwice(compilation, compilation.ReplaceSyntaxTree(tree, changed));

        Assert.Contains(IncrementalStepRunReason.Modified, DocumentsStepReasons(second));
    }

    [Fact]
    public void Documents_step_outputs_hold_no_compilation_objects()
    {
        // Holding a symbol, syntax node or compilation in a model keeps old compilations alive and
        // makes equality by reference, which silently defeats the cache.
        CSharpCompilation compilation = GeneratorHarness.Compile(Document);
        GeneratorRunResult result = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation).GetRunResult().Results.Single();

        object[] outputs = [.. result.TrackedSteps[TrackingNames.Documents].SelectMany(step => step.Outputs).Select(output => output.Value)];

        Assert.NotEmpty(outputs);
        foreach (object output in outputs)
        {
            AssertHoldsNoCompilationObjects(output, [], output.GetType().Name);
        }
    }

    private static void AssertHoldsNoCompilationObjects(object? value, HashSet<object> seen, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(
            value is Compilation or ISymbol or SyntaxNode or SyntaxTree or SemanticModel or Location,
            $"{path} holds a {value.GetType().Name}");

        // Descriptors are static singletons shared by every run; their identity is stable.
        if (value is DiagnosticDescriptor)
        {
            return;
        }

        if (value is IEnumerable sequence)
        {
            int index = 0;
            foreach (object? item in sequence)
            {
                AssertHoldsNoCompilationObjects(item, seen, $"{path}[{index++}]");
            }
        }

        foreach (FieldInfo field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertHoldsNoCompilationObjects(field.GetValue(value), seen, $"{path}.{field.Name}");
        }
    }
}

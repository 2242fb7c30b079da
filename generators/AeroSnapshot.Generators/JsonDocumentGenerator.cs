using System.Text;
using AeroSnapshot.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AeroSnapshot.Generators;

/// <summary>
/// Emits a UTF-8 JSON writer and reader for every partial class marked <c>[JsonDocument]</c>:
/// the snapshot manifest and the checkpoint marker are written byte-exactly and read strictly
/// without reflection.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class JsonDocumentGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<DocumentResult> documents = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                JsonDocumentParser.DocumentAttributeName,
                // Every kind of type declaration, not only classes: a record (or a struct, which the
                // attribute's usage already forbids) must get AEROGEN006 rather than silently no code.
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: JsonDocumentParser.Parse)
            .WithTrackingName(TrackingNames.Documents);

        context.RegisterSourceOutput(documents, static (output, result) =>
        {
            foreach (DiagnosticInfo diagnostic in result.Diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (result.Model is { } model)
            {
                output.AddSource(model.HintName, SourceText.From(JsonDocumentEmitter.Emit(model), Encoding.UTF8));
            }
        });
    }
}

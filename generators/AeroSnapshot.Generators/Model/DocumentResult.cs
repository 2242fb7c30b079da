namespace AeroSnapshot.Generators.Model;

/// <summary>The parser's answer for one annotated type: a model to emit, diagnostics, or both.</summary>
internal sealed record DocumentResult(DocumentModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);

namespace AeroSnapshot.Generators.Model;

/// <summary>Everything the emitter needs about one annotated type, and nothing from the compilation.</summary>
internal sealed record DocumentModel(
    string? Namespace,
    string TypeName,
    string DocumentName,
    string HintName,
    EquatableArray<MemberModel> Members);

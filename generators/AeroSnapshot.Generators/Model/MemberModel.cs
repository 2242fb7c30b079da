namespace AeroSnapshot.Generators.Model;

/// <summary>One member of a document: its C# name, JSON key, type, and whether it may be absent.</summary>
internal sealed record MemberModel(string PropertyName, string JsonName, MemberKind Kind, string TypeName, bool IsOptional);

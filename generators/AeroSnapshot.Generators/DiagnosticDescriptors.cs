using Microsoft.CodeAnalysis;

namespace AeroSnapshot.Generators;

/// <summary>Every diagnostic the JSON document generator reports.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "AeroSnapshot.Generators";

    public static readonly DiagnosticDescriptor UnsupportedMemberType = new(
        id: "AEROGEN001",
        title: "Unsupported JSON field type",
        messageFormat: "Member '{0}' has type '{1}', which a JSON document cannot hold; use string, bool, int, long, ulong, SnapshotId, SnapshotInstant, Crc32Checksum, ChecksumMap or a nullable form",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor TypeNotPartial = new(
        id: "AEROGEN002",
        title: "JSON document type must be partial",
        messageFormat: "Type '{0}' is marked [JsonDocument] but is not partial, so its reader and writer cannot be added",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateJsonName = new(
        id: "AEROGEN003",
        title: "JSON key used twice",
        messageFormat: "JSON key '{0}' is already used by member '{1}'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MemberNotSettable = new(
        id: "AEROGEN004",
        title: "JSON field must be settable",
        messageFormat: "Member '{0}' needs a set or init accessor so that the reader can fill it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidJsonName = new(
        id: "AEROGEN005",
        title: "Invalid JSON key",
        messageFormat: "JSON key '{0}' of member '{1}' must be non-empty and made of ASCII letters, digits and '_'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedTypeShape = new(
        id: "AEROGEN006",
        title: "JSON document type must be a top-level, non-generic class",
        messageFormat: "Type '{0}' must be a non-generic class (not a record or struct) declared directly in a namespace",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);
}

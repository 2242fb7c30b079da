using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AeroSnapshot.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AeroSnapshot.Generators;

/// <summary>
/// Turns one <c>[JsonDocument]</c> type into a <see cref="DocumentModel"/>, or into the diagnostics
/// that explain why it cannot have one. Runs inside the incremental pipeline, so it keeps nothing
/// from the compilation in what it returns.
/// </summary>
internal static class JsonDocumentParser
{
    public const string DocumentAttributeName = "AeroSnapshot.Fast.ManifestFormat.JsonDocumentAttribute";
    public const string FieldAttributeName = "AeroSnapshot.Fast.ManifestFormat.JsonFieldAttribute";

    private const string FastNamespace = "AeroSnapshot.Fast";

    public static DocumentResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNotPartial, declaration.Identifier.GetLocation(), type.Name));
        }

        // A record is TypeKind.Class, but the emitted "partial class" cannot complete a "partial record".
        if (type.ContainingType is not null || type.IsGenericType || type.TypeKind != TypeKind.Class || type.IsRecord)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedTypeShape, declaration.Identifier.GetLocation(), type.Name));
        }

        var members = new List<MemberModel>();
        var ownerOfName = new Dictionary<string, string>();
        foreach (IPropertySymbol property in type.GetMembers().OfType<IPropertySymbol>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            AttributeData? field = property.GetAttributes().FirstOrDefault(
                static a => a.AttributeClass?.ToDisplayString() == FieldAttributeName);
            if (field is null)
            {
                continue;
            }

            Location? location = property.Locations.FirstOrDefault();
            string jsonName = field.ConstructorArguments.Length == 1 && field.ConstructorArguments[0].Value is string name ? name : string.Empty;
            if (!IsPlainJsonName(jsonName))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidJsonName, location, jsonName, property.Name));
                continue;
            }

            if (ownerOfName.TryGetValue(jsonName, out string? owner))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateJsonName, location, jsonName, owner));
                continue;
            }

            ownerOfName[jsonName] = property.Name;

            if (property.SetMethod is null || property.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberNotSettable, location, property.Name));
                continue;
            }

            if (!TryClassify(property.Type, out MemberKind kind, out bool isOptional))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.UnsupportedMemberType,
                    location,
                    property.Name,
                    property.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
                continue;
            }

            members.Add(new MemberModel(
                property.Name,
                jsonName,
                kind,
                property.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                isOptional));
        }

        string documentName = type.Name;
        AttributeData document = context.Attributes[0];
        foreach (KeyValuePair<string, TypedConstant> argument in document.NamedArguments)
        {
            if (argument.Key == "DocumentName" && argument.Value.Value is string given)
            {
                documentName = given;
            }
        }

        string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        DocumentModel? model = diagnostics.Count > 0
            ? null
            : new DocumentModel(ns, type.Name, documentName, (ns is null ? string.Empty : ns + ".") + type.Name + ".Json.g.cs", new EquatableArray<MemberModel>(members));
        return new DocumentResult(model, new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    private static bool IsPlainJsonName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (char c in name)
        {
            bool plain = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_';
            if (!plain)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryClassify(ITypeSymbol type, out MemberKind kind, out bool isOptional)
    {
        isOptional = false;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            isOptional = true;
            type = nullable.TypeArguments[0];
        }
        else if (type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated)
        {
            isOptional = true;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
                kind = MemberKind.String;
                return true;
            case SpecialType.System_Boolean:
                kind = MemberKind.Boolean;
                return true;
            case SpecialType.System_Int32:
                kind = MemberKind.Int32;
                return true;
            case SpecialType.System_Int64:
                kind = MemberKind.Int64;
                return true;
            case SpecialType.System_UInt64:
                kind = MemberKind.UInt64;
                return true;
        }

        kind = default;
        if (type.ContainingNamespace?.ToDisplayString() != FastNamespace || type.ContainingType is not null)
        {
            return false;
        }

        switch (type.Name)
        {
            case "SnapshotId":
                kind = MemberKind.SnapshotId;
                return true;
            case "SnapshotInstant":
                kind = MemberKind.SnapshotInstant;
                return true;
            case "Crc32Checksum":
                kind = MemberKind.Crc32Checksum;
                return true;
            case "ChecksumMap":
                kind = MemberKind.ChecksumMap;
                return true;
            default:
                return false;
        }
    }
}

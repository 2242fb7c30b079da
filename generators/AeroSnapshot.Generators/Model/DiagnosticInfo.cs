using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AeroSnapshot.Generators.Model;

/// <summary>
/// A diagnostic kept as plain values (<see cref="Diagnostic"/> and <see cref="Location"/> hold on to
/// syntax trees, which would defeat caching between compilations).
/// </summary>
internal sealed record DiagnosticInfo(
    DiagnosticDescriptor Descriptor,
    string FilePath,
    TextSpan Span,
    LinePositionSpan LineSpan,
    EquatableArray<StringValue> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
    {
        location ??= Location.None;
        FileLinePositionSpan lines = location.GetLineSpan();
        return new DiagnosticInfo(
            descriptor,
            location.SourceTree?.FilePath ?? string.Empty,
            location.SourceSpan,
            lines.Span,
            new EquatableArray<StringValue>(Array.ConvertAll(arguments, static a => new StringValue(a))));
    }

    public Diagnostic ToDiagnostic()
    {
        var location = FilePath.Length == 0 ? Location.None : Location.Create(FilePath, Span, LineSpan);
        object[] arguments = new object[Arguments.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Arguments[i].Value;
        }

        return Diagnostic.Create(Descriptor, location, arguments);
    }
}

/// <summary>A string that can live in an <see cref="EquatableArray{T}"/>.</summary>
internal readonly record struct StringValue(string Value);

namespace AeroSnapshot.Fast.ManifestFormat;

/// <summary>
/// Marks a partial type whose UTF-8 JSON writer and reader are generated at build time by
/// <c>AeroSnapshot.Generators</c>. Members are written in declaration order, in the pretty
/// format of the reference implementation (<c>serde_json::to_string_pretty</c>).
/// </summary>
/// <remarks>
/// The generator adds <c>TryWriteUtf8</c>, <c>WriteUtf8</c>, <c>GetUtf8ByteCount</c> and a static
/// <c>ReadUtf8</c>, and calls an optional <c>partial void OnRead()</c> after reading, where the
/// type checks rules that span fields.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class JsonDocumentAttribute : Attribute
{
    /// <summary>The document's name in error messages, for example <c>manifest.json</c>.</summary>
    public string? DocumentName { get; set; }
}

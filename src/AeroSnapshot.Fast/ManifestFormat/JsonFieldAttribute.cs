namespace AeroSnapshot.Fast.ManifestFormat;

/// <summary>
/// Gives the JSON name of a member of a <see cref="JsonDocumentAttribute"/> type. Non-nullable
/// members are required when reading; nullable ones are optional and omitted when null.
/// </summary>
/// <param name="name">The JSON key: ASCII letters, digits and underscores.</param>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
internal sealed class JsonFieldAttribute(string name) : Attribute
{
    /// <summary>The JSON key.</summary>
    public string Name { get; } = name;
}

namespace AeroSnapshot.Fast.ManifestFormat;

/// <summary>
/// The one error a generated reader throws for any document it refuses: invalid JSON or UTF-8,
/// a missing, mistyped or duplicated field, or a value that breaks the contract's grammar.
/// </summary>
public sealed class ManifestFormatException : FormatException
{
    /// <summary>Creates the error.</summary>
    public ManifestFormatException()
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public ManifestFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with a message and its cause.</summary>
    public ManifestFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error for a field, at a byte offset of the document.</summary>
    public ManifestFormatException(string message, string? field, long bytePosition, Exception? innerException = null)
        : base(message, innerException)
    {
        Field = field;
        BytePosition = bytePosition;
    }

    /// <summary>The JSON key at fault, when the problem belongs to one field.</summary>
    public string? Field { get; }

    /// <summary>The byte offset in the document where the problem was found, or -1.</summary>
    public long BytePosition { get; } = -1;
}

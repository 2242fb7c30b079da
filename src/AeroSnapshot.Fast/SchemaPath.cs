using AeroSnapshot.Fast.Text;

namespace AeroSnapshot.Fast;

/// <summary>
/// The rules for a schema file's key in <c>schema_checksums</c>: a plain relative path under
/// <c>schemas/</c> with <c>/</c> separators. A manifest is untrusted input, so a key that could
/// name anything outside that folder is refused before any path is built from it.
/// </summary>
public static class SchemaPath
{
    /// <summary>
    /// Returns why <paramref name="path"/> is not a valid schema key, or null when it is.
    /// </summary>
    public static string? Validate(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "the path is empty";
        }

        if (path[0] == '/')
        {
            return "the path is absolute";
        }

        if (path[^1] == '/')
        {
            return "the path ends with '/'";
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return "the path contains a NUL character";
        }

        if (!Utf16Text.IsWellFormed(path))
        {
            return "the path is not valid Unicode";
        }

        foreach (Range segment in path.AsSpan().Split('/'))
        {
            ReadOnlySpan<char> name = path.AsSpan()[segment];
            if (name.IsEmpty)
            {
                return "the path has an empty segment";
            }

            if (name is "." or "..")
            {
                return $"the path has a '{name}' segment";
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="path"/> is a valid schema key.</summary>
    public static bool IsValid(string? path) => Validate(path) is null;

    /// <summary>
    /// Orders paths by Unicode code point, which is the order of their UTF-8 bytes: the order a
    /// Rust <c>BTreeMap&lt;String, _&gt;</c> (the reference implementation) writes keys in. Plain
    /// UTF-16 ordinal order differs from it only for characters at or above U+E000 compared with
    /// characters outside the Basic Multilingual Plane.
    /// </summary>
    public static int CompareCodePoints(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        int common = x.AsSpan().CommonPrefixLength(y);
        if (common == x.Length || common == y.Length)
        {
            return x.Length.CompareTo(y.Length);
        }

        return CodePointOrderKey(x[common]).CompareTo(CodePointOrderKey(y[common]));
    }

    // Surrogates (D800–DFFF) encode code points above FFFF, so they must sort after E000–FFFF.
    private static int CodePointOrderKey(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };
}

using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast;

/// <summary>
/// A failed system call: which call, on which path, and the errno it returned. Every native
/// failure in the library is turned into this type in one place, so callers see the same shape.
/// </summary>
public sealed class NativeIOException : IOException
{
    /// <summary>Creates the error.</summary>
    public NativeIOException()
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public NativeIOException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with a message and its cause.</summary>
    public NativeIOException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal NativeIOException(string operation, string path, int errno, string? inner = null)
        : base($"{operation} '{path}' failed: {Errors.Describe(errno)}{(inner is null ? string.Empty : " (" + inner + ")")}.")
    {
        Operation = operation;
        Path = path;
        Errno = errno;
        HResult = errno;
    }

    /// <summary>The system call, for example <c>fsync</c>.</summary>
    public string? Operation { get; }

    /// <summary>The file or directory it was applied to.</summary>
    public string? Path { get; }

    /// <summary>The errno value (for example 5 for EIO, 28 for ENOSPC).</summary>
    public int Errno { get; }
}

namespace System.Runtime.CompilerServices;

// netstandard2.0 lacks this marker type, which init accessors and records need.
internal static class IsExternalInit
{
}

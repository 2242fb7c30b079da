using System.Collections;

namespace AeroSnapshot.Fast;

/// <summary>One <c>schema_checksums</c> entry: a schema path relative to <c>schemas/</c> and its checksum.</summary>
/// <param name="Path">The path, with <c>/</c> separators (see <see cref="SchemaPath"/>).</param>
/// <param name="Checksum">The CRC-32 of the file's bytes.</param>
public readonly record struct ChecksumEntry(string Path, Crc32Checksum Checksum);

/// <summary>
/// An immutable map from schema path to checksum, kept in code point order so that writing it
/// is deterministic and lookups are a binary search. Every key satisfies <see cref="SchemaPath"/>.
/// </summary>
public sealed class ChecksumMap : IReadOnlyList<ChecksumEntry>, IEquatable<ChecksumMap>
{
    private static readonly Comparison<ChecksumEntry> ByPath = static (a, b) => SchemaPath.CompareCodePoints(a.Path, b.Path);

    private static readonly Comparer<ChecksumEntry> PathComparer = Comparer<ChecksumEntry>.Create(ByPath);

    private readonly ChecksumEntry[] _entries;

    private ChecksumMap(ChecksumEntry[] sortedEntries) => _entries = sortedEntries;

    /// <summary>The map with no entries.</summary>
    public static ChecksumMap Empty { get; } = new([]);

    /// <summary>The number of entries.</summary>
    public int Count => _entries.Length;

    /// <summary>The entry at <paramref name="index"/> in code point order.</summary>
    public ChecksumEntry this[int index] => _entries[index];

    /// <summary>
    /// Builds a map from <paramref name="entries"/>. Throws <see cref="ArgumentException"/> for an
    /// invalid path or a path given twice.
    /// </summary>
    public static ChecksumMap Create(IEnumerable<ChecksumEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ChecksumEntry[] array = [.. entries];
        foreach (ChecksumEntry entry in array)
        {
            if (SchemaPath.Validate(entry.Path) is { } reason)
            {
                throw new ArgumentException($"Invalid schema path '{entry.Path}': {reason}.", nameof(entries));
            }
        }

        Array.Sort(array, ByPath);
        for (int i = 1; i < array.Length; i++)
        {
            if (string.Equals(array[i - 1].Path, array[i].Path, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Schema path '{array[i].Path}' is given twice.", nameof(entries));
            }
        }

        return array.Length == 0 ? Empty : new ChecksumMap(array);
    }

    /// <summary>Builds a map from path/checksum pairs (see <see cref="Create(IEnumerable{ChecksumEntry})"/>).</summary>
    public static ChecksumMap Create(IEnumerable<KeyValuePair<string, Crc32Checksum>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return Create(entries.Select(static pair => new ChecksumEntry(pair.Key, pair.Value)));
    }

    /// <summary>Looks up the checksum recorded for <paramref name="path"/>.</summary>
    public bool TryGetValue(string path, out Crc32Checksum checksum)
    {
        int index = Array.BinarySearch(_entries, new ChecksumEntry(path, default), PathComparer);
        checksum = index >= 0 ? _entries[index].Checksum : default;
        return index >= 0;
    }

    /// <summary>Enumerates the entries in code point order without allocating.</summary>
    public Enumerator GetEnumerator() => new(_entries);

    IEnumerator<ChecksumEntry> IEnumerable<ChecksumEntry>.GetEnumerator() => ((IEnumerable<ChecksumEntry>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(ChecksumMap? other) => other is not null && _entries.AsSpan().SequenceEqual(other._entries);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ChecksumMap);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (ChecksumEntry entry in _entries)
        {
            hash.Add(entry);
        }

        return hash.ToHashCode();
    }

    /// <summary>A non-allocating enumerator over the entries.</summary>
    public struct Enumerator
    {
        private static readonly Comparer<ChecksumEntry> PathComparer = Comparer<ChecksumEntry>.Create(ByPath);

    private readonly ChecksumEntry[] _entries;
        private int _index;

        internal Enumerator(ChecksumEntry[] entries)
        {
            _entries = entries;
            _index = -1;
        }

        /// <summary>The current entry.</summary>
        public readonly ChecksumEntry Current => _entries[_index];

        /// <summary>Moves to the next entry.</summary>
        public bool MoveNext() => ++_index < _entries.Length;
    }
}

namespace AeroSnapshot.Fast.Copying;

/// <summary>How the storage copy's bytes reach the destination (measured in the technique benchmarks).</summary>
internal enum DestinationWriteMode
{
    /// <summary>Ordinary buffered writes (with the writeback window): the default.</summary>
    Buffered,

    /// <summary><c>O_DIRECT</c>: no page cache; aligned writes, the tail padded then truncated.</summary>
    Direct,

    /// <summary><c>pwritev2(RWF_DONTCACHE)</c>: buffered, but the kernel drops the pages once written back.</summary>
    DontCache,
}

namespace AeroSnapshot.Fast.Copying;

/// <summary>
/// Sees every chunk <see cref="FileCopier"/> reads, in order (the WAL's record validator): what lets
/// a pass over a file that judges its content be one more configuration of the one copy loop.
/// </summary>
internal interface IChunkObserver
{
    /// <summary>The next bytes of the file, straight after the previous chunk.</summary>
    void Append(ReadOnlySpan<byte> chunk);
}

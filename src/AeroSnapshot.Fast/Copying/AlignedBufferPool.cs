using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AeroSnapshot.Fast.Copying;

/// <summary>
/// Page-aligned native buffers, reused across files and across snapshots so the copy loop never
/// allocates. Native memory keeps large buffers off the managed heap (no LOH, no GC pauses in the
/// database's process) and page alignment keeps the door open for <c>O_DIRECT</c>.
/// </summary>
internal sealed unsafe class AlignedBufferPool : IDisposable
{
    /// <summary>The alignment of every buffer: one page.</summary>
    public const int Alignment = 4096;

    private readonly Stack<IntPtr> _free = new();
    private readonly Lock _gate = new();
#if DEBUG
    private readonly HashSet<IntPtr> _rented = [];
#endif
    private bool _disposed;

    public AlignedBufferPool(int bufferSize)
    {
        if (bufferSize <= 0 || bufferSize % Alignment != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, $"The buffer size must be a positive multiple of {Alignment}.");
        }

        BufferSize = bufferSize;
    }

    /// <summary>The size of every buffer in bytes.</summary>
    public int BufferSize { get; }

    /// <summary>Takes a buffer; dispose the lease to give it back.</summary>
    public Lease Rent()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            IntPtr buffer = _free.Count > 0 ? _free.Pop() : (IntPtr)NativeMemory.AlignedAlloc((nuint)BufferSize, Alignment);
#if DEBUG
            _rented.Add(buffer);
#endif
            return new Lease(this, buffer);
        }
    }

    private void Return(IntPtr buffer)
    {
        lock (_gate)
        {
#if DEBUG
            Debug.Assert(_rented.Remove(buffer), "A buffer was returned twice or was never rented.");
#endif
            if (_disposed)
            {
                NativeMemory.AlignedFree((void*)buffer);
            }
            else
            {
                _free.Push(buffer);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            while (_free.Count > 0)
            {
                NativeMemory.AlignedFree((void*)_free.Pop());
            }
        }
    }

    /// <summary>A rented buffer. Not copyable in spirit: dispose exactly once.</summary>
    internal struct Lease : IDisposable
    {
        private AlignedBufferPool? _owner;
        private readonly IntPtr _buffer;

        internal Lease(AlignedBufferPool owner, IntPtr buffer)
        {
            _owner = owner;
            _buffer = buffer;
        }

        public readonly Span<byte> Span => _owner is null
            ? throw new ObjectDisposedException(nameof(Lease))
            : new Span<byte>((void*)_buffer, _owner.BufferSize);

        public void Dispose()
        {
            AlignedBufferPool? owner = _owner;
            _owner = null;
            owner?.Return(_buffer);
        }
    }
}

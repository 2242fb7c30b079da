using AeroSnapshot.Fast.Copying;

namespace AeroSnapshot.Fast.Tests.Copying;

/// <summary>
/// The pool of page-aligned copy buffers (O_DIRECT needs them aligned): sizes that are not a positive
/// multiple of a page are refused, a returned buffer is reused rather than a new one allocated, and a
/// disposed pool or lease refuses to hand out memory it has freed. Found by the mutation run of issue
/// #17: the pool had no tests of its own, so losing the reuse, the disposal checks or the size check
/// failed nothing.
/// </summary>
public sealed unsafe class AlignedBufferPoolTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-4096)]
    [InlineData(4095)]
    [InlineData(4096 + 512)]
    public void A_size_that_is_not_a_positive_multiple_of_a_page_is_refused(int size)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBufferPool(size));
        Assert.Equal("bufferSize", error.ParamName);
        Assert.Contains($"positive multiple of {AlignedBufferPool.Alignment}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_buffer_is_page_aligned_and_of_the_pool_size()
    {
        using var pool = new AlignedBufferPool(2 * AlignedBufferPool.Alignment);
        using AlignedBufferPool.Lease lease = pool.Rent();
        Span<byte> span = lease.Span;
        Assert.Equal(2 * AlignedBufferPool.Alignment, span.Length);
        fixed (byte* start = span)
        {
            Assert.Equal(0, (long)start % AlignedBufferPool.Alignment);
        }
    }

    [Fact]
    public void A_returned_buffer_is_handed_out_again_and_two_leases_never_share_one()
    {
        using var pool = new AlignedBufferPool(AlignedBufferPool.Alignment);
        nint first;
        using (AlignedBufferPool.Lease lease = pool.Rent())
        {
            first = Address(lease);
        }

        using AlignedBufferPool.Lease again = pool.Rent();
        using AlignedBufferPool.Lease other = pool.Rent();
        Assert.Equal(first, Address(again));
        Assert.NotEqual(first, Address(other));
    }

    [Fact]
    public void A_disposed_pool_rents_nothing()
    {
        var pool = new AlignedBufferPool(AlignedBufferPool.Alignment);
        pool.Rent().Dispose();
        pool.Dispose();
        pool.Dispose(); // twice is harmless

        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    [Fact]
    public void A_disposed_lease_gives_no_span()
    {
        using var pool = new AlignedBufferPool(AlignedBufferPool.Alignment);
        AlignedBufferPool.Lease lease = pool.Rent();
        lease.Dispose();
        try
        {
            _ = lease.Span;
            Assert.Fail("a disposed lease handed out its buffer");
        }
        catch (ObjectDisposedException)
        {
        }
    }

    [Fact]
    public void A_lease_returned_after_the_pool_was_disposed_is_freed_without_error()
    {
        var pool = new AlignedBufferPool(AlignedBufferPool.Alignment);
        AlignedBufferPool.Lease lease = pool.Rent();
        pool.Dispose();
        lease.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    private static nint Address(AlignedBufferPool.Lease lease)
    {
        fixed (byte* start = lease.Span)
        {
            return (nint)start;
        }
    }
}

using AeroSnapshot.Fast.Tests.Support;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Tests.Verification;

/// <summary>
/// Verification streams data through the manager's pooled native buffer: the managed memory it
/// allocates depends on the number of files, never on their size.
/// </summary>
public sealed class VerifyAllocationTests
{
    [Fact]
    public void Verifying_256_MiB_allocates_the_same_managed_bytes_as_verifying_1_MiB()
    {
        long small = AllocatedByVerify(1L << 20);
        long large = AllocatedByVerify(256L << 20);

        Assert.True(Math.Abs(large - small) <= 1024, $"1 MiB: {small} bytes allocated; 256 MiB: {large} bytes allocated.");
    }

    private static long AllocatedByVerify(long storageBytes)
    {
        using var workspace = new ReadSideWorkspace();
        workspace.WriteSparseStorage(storageBytes);
        workspace.WriteSchema("users.json", "{\"users\":1}");
        workspace.WriteSchema("app/orders.json", "{\"orders\":1}");
        SnapshotId id = workspace.Snapshot();
        string snapshot = workspace.SnapshotPath(id);

        // The first call JITs the code and fills the buffer pool; the least of the next three is the
        // one measured: a one-time cost can still land on any single run (a CI run charged 1,168 B of
        // it to the 256 MiB measurement), a per-byte cost is in every run.
        Assert.True(workspace.Manager.Verify(snapshot).IsValid);
        long least = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            VerificationReport report = workspace.Manager.Verify(snapshot);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);

            Assert.True(report.IsValid);
            Assert.Equal(storageBytes, report.BytesVerified - 23); // the two schema files hold 11 + 12 bytes
        }

        return least;
    }
}

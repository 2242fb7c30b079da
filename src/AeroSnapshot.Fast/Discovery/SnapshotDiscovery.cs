using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Layout;
using AeroSnapshot.Fast.Restoring;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast.Discovery;

/// <summary>
/// Startup discovery: the newest snapshot that verifies, trying candidates newest first. Every
/// candidate passed over is reported (callback and log) with its code and reasons; names that are
/// not snapshot ids are listed as ignored. Discovery only reads: a corrupt snapshot is left exactly
/// where it is, for an operator to look at.
/// </summary>
internal sealed class SnapshotDiscovery
{
    private readonly SnapshotOptions _options;
    private readonly SnapshotVerifier _verifier;

    public SnapshotDiscovery(SnapshotOptions options, AlignedBufferPool buffers)
    {
        _options = options;
        _verifier = new SnapshotVerifier(options, buffers);
    }

    public DiscoveryResult Discover(string dataDirectory, Action<SkippedSnapshot>? onSkipped)
    {
        // A restore interrupted before its swap has moved the WAL and snapshots out of the data
        // directory; recovering from what is left would silently lose them.
        RestoreRecovery.ThrowIfRollbackPending(dataDirectory);

        List<SnapshotsDirectory.Entry>? entries;
        try
        {
            entries = SnapshotsDirectory.Scan(dataDirectory);
        }
        catch (NativeIOException ex)
        {
            throw SnapshotException.FromNative(ex, SnapshotStep.Read);
        }

        if (entries is null)
        {
            return new DiscoveryResult(null, [], []);
        }

        var skipped = new List<SkippedSnapshot>();
        var ignored = new List<string>();
        VerificationReport? selected = null;
        foreach (SnapshotsDirectory.Entry entry in entries)
        {
            if (entry.Id is not { } id)
            {
                ignored.Add(entry.Name);
                continue;
            }

            if (selected is not null)
            {
                continue; // older snapshots are not looked at once one is selected
            }

            VerificationReport? report = _verifier.TryVerify(entry.Path);
            if (report is null)
            {
                continue; // removed since the listing
            }

            if (report.IsValid)
            {
                selected = report;
                continue;
            }

            var skip = new SkippedSnapshot(id, entry.Path, report.CorruptionCode!, report.Problems);
            skipped.Add(skip);
            onSkipped?.Invoke(skip);
            _options.Logger?.LogSnapshotSkipped(id.ToString(), skip.Code, report.Summarize());
        }

        return new DiscoveryResult(selected, skipped, ignored);
    }
}

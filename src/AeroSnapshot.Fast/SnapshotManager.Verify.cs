using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Fast;

// Verify: hands over to Verification/SnapshotVerifier.
public sealed partial class SnapshotManager
{
    /// <summary>
    /// Verifies a snapshot: reads its manifest strictly, then every file once, and reports every
    /// problem. Never reads outside <paramref name="snapshotDirectory"/> and never follows a link.
    /// </summary>
    /// <param name="snapshotDirectory">The snapshot directory (<c>…/snapshots/&lt;id&gt;</c>).</param>
    /// <param name="options">Progress, cancellation, buffer size and <see cref="SnapshotOptions.StopAtFirstProblem"/>.</param>
    /// <returns>The report; problems (including failed reads, as <see cref="VerificationProblemKind.Unreadable"/>) are listed, not thrown.</returns>
    /// <exception cref="SnapshotException">Nothing exists at <paramref name="snapshotDirectory"/>, or its own status cannot be read.</exception>
    public VerificationReport Verify(string snapshotDirectory, SnapshotOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(snapshotDirectory);
        options ??= SnapshotOptions.Default;
        AlignedBufferPool buffers = Buffers(options);
        long start = Stopwatch.GetTimestamp();
        using Activity? activity = SnapshotTelemetry.Source.StartActivity("aerosnap.verify");
        activity?.SetTag("aerosnap.snapshot.dir", snapshotDirectory);
        try
        {
            VerificationReport report = new SnapshotVerifier(options, buffers).Verify(snapshotDirectory);
            string outcome = report.IsValid ? "valid" : "corrupt";
            SnapshotTelemetry.RecordDuration(SnapshotTelemetry.VerifyDuration, start, outcome);
            activity?.SetTag(SnapshotTelemetry.OutcomeTag, outcome);
            report.Duration = Stopwatch.GetElapsedTime(start);
            return report;
        }
        catch (Exception failure)
        {
            SnapshotTelemetry.RecordDuration(SnapshotTelemetry.VerifyDuration, start, "failed", failure);
            SnapshotTelemetry.Fail(activity, failure);
            throw;
        }
    }
}

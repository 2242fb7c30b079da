using System.Diagnostics;
using AeroSnapshot.Fast.Copying;
using AeroSnapshot.Fast.Diagnostics;
using AeroSnapshot.Fast.Execution;
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
    /// <param name="cancellationToken">Stops the operation between buffers and steps; what it had begun is undone or left as a leftover <c>clean</c> removes, as for any failure.</param>
    /// <returns>The report; problems (including failed reads, as <see cref="VerificationProblemKind.Unreadable"/>) are listed, not thrown.</returns>
    /// <exception cref="SnapshotException">Nothing exists at <paramref name="snapshotDirectory"/>, or its own status cannot be read.</exception>
    public VerificationReport Verify(string snapshotDirectory, SnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = SnapshotOptions.ForCall(options, cancellationToken);
        ArgumentException.ThrowIfNullOrEmpty(snapshotDirectory);
        options ??= SnapshotOptions.Default;
        var verifier = new SnapshotVerifier(options, Buffers(options));
        return new SingleStepOperation<VerificationReport>(
            options,
            OperationTelemetry.Verify,
            "snapshot",
            "Verification",
            SnapshotStep.Read,
            () =>
            {
                long start = Stopwatch.GetTimestamp();
                VerificationReport report = verifier.Verify(snapshotDirectory);
                report.Duration = Stopwatch.GetElapsedTime(start);
                return report;
            },
            static report => report.IsValid ? "valid" : "corrupt",
            new("aerosnap.snapshot.dir", snapshotDirectory)).Run();
    }
}

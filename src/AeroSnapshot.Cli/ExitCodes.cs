namespace AeroSnapshot.Cli;

/// <summary>The tool's exit codes: the contract scripts rely on, documented in --help and the README.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>Corruption was found, or there is no valid snapshot.</summary>
    public const int Corruption = 1;

    /// <summary>The command line was wrong (unknown option, missing argument, bad value).</summary>
    public const int Usage = 2;

    /// <summary>The operation failed; the AERO_* code is printed on stderr.</summary>
    public const int Failed = 3;

    /// <summary>
    /// The data directory is in use: another process (the database, or another aerosnap) holds its
    /// <c>LOCK</c> (after <c>--lock-wait</c>, if given), or AeroDB's running marker <c>.lock</c> is there.
    /// Nothing was changed; a cron job can simply try again later. 11, as restic exits when its
    /// repository is locked; clear of the codes above and of the signal codes (128 + n).
    /// </summary>
    public const int InUse = 11;

    /// <summary>Ctrl+C (SIGINT) cancelled the operation; its partial work was removed (128 + 2).</summary>
    public const int Interrupted = 130;

    /// <summary>SIGTERM cancelled the operation; its partial work was removed (128 + 15).</summary>
    public const int Terminated = 143;

    /// <summary>Every code and what it means: the source of --help's list and the man page's EXIT STATUS.</summary>
    public static IReadOnlyList<(int Code, string Meaning)> Table { get; } =
    [
        (Success, "success"),
        (Corruption, "corruption found, or no valid snapshot"),
        (Usage, "bad usage (a \"did you mean\" suggestion follows a mistyped command or option)"),
        (Failed, "the operation failed (the AERO_* error code is printed on stderr)"),
        (InUse, "the data directory is in use: another process holds its LOCK (see --lock-wait), or AeroDB's running marker .lock is there; nothing was changed, try again later"),
        (Interrupted, "cancelled by Ctrl+C (SIGINT), after removing its partial work"),
        (Terminated, "cancelled by SIGTERM, after removing its partial work"),
    ];

    /// <summary>The text appended to every --help.</summary>
    public static string HelpText { get; } = "Exit codes:" + Environment.NewLine + string.Join(
        Environment.NewLine,
        Table.Select(static entry => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  {entry.Code}  {entry.Meaning}")));

    /// <summary>The exit code for a failure: 1 corruption, 11 in use, 3 anything else.</summary>
    public static int For(AeroSnapshot.Fast.SnapshotException error)
        => error.Code is AeroSnapshot.Fast.SnapshotErrorCode.DataCorruption or AeroSnapshot.Fast.SnapshotErrorCode.MetadataCorruption or AeroSnapshot.Fast.SnapshotErrorCode.WalCorruption
            ? Corruption
            : DataDirectoryInUse.Is(error) ? InUse : Failed;
}

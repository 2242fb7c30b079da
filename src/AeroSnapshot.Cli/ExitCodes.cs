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

    /// <summary>Ctrl+C (SIGINT) cancelled the operation; its partial work was removed (128 + 2).</summary>
    public const int Interrupted = 130;

    /// <summary>SIGTERM cancelled the operation; its partial work was removed (128 + 15).</summary>
    public const int Terminated = 143;

    /// <summary>The text appended to every --help.</summary>
    public const string HelpText =
        """
        Exit codes:
          0  success
          1  corruption found, or no valid snapshot
          2  bad usage
          3  the operation failed (the AERO_* error code is printed on stderr)
          130  cancelled by Ctrl+C (SIGINT), after removing its partial work
          143  cancelled by SIGTERM, after removing its partial work
        """;
}

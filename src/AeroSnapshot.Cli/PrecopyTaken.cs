using AeroSnapshot.Cli.Output;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Precopy;

namespace AeroSnapshot.Cli;

/// <summary>What <c>create --precopy</c> copied before the pause, and how long it took.</summary>
/// <param name="Duration">The pre-copy's time (writes were not paused for it).</param>
/// <param name="StorageBytes">Bytes of the storage file pre-copied.</param>
/// <param name="SchemaFiles">Schema files pre-copied.</param>
/// <param name="SchemaBytes">Bytes of schema files pre-copied.</param>
internal sealed record PrecopyTaken(TimeSpan Duration, long StorageBytes, int SchemaFiles, long SchemaBytes)
{
    public static PrecopyTaken Of(SnapshotPrecopy precopy, TimeSpan duration)
        => new(duration, precopy.StorageBytes, precopy.SchemaFiles, precopy.SchemaBytes);

    /// <summary>
    /// The options with <paramref name="precopy"/> added: every public setting copied, since
    /// <see cref="SnapshotOptions"/> is init-only.
    /// </summary>
    public static SnapshotOptions WithPrecopy(SnapshotOptions options, SnapshotPrecopy precopy) => new()
    {
        TimeProvider = options.TimeProvider,
        Progress = options.Progress,
        CancellationToken = options.CancellationToken,
        Logger = options.Logger,
        WritebackWindowBytes = options.WritebackWindowBytes,
        BufferSize = options.BufferSize,
        UseReflink = options.UseReflink,
        Preallocate = options.Preallocate,
        Strict = options.Strict,
        StopAtFirstProblem = options.StopAtFirstProblem,
        Precopy = precopy,
    };

    /// <summary>One line on what the pause did with the pre-copy.</summary>
    public static string Describe(PrecopyReport report) => report.StorageReused
        ? $"prefix re-hashed, {ByteSize.Format(report.AppendedBytes)} appended; schema files: {report.SchemaFilesReused} kept, {report.SchemaFilesCopied} copied, {report.SchemaFilesRemoved} dropped"
        : $"storage copied in full ({report.Storage}: {report.Detail}); schema files: {report.SchemaFilesReused} kept, {report.SchemaFilesCopied} copied, {report.SchemaFilesRemoved} dropped";

    /// <summary>The <c>"precopy"</c> object of the JSON output.</summary>
    public void WriteJson(System.Text.Json.Utf8JsonWriter json, PrecopyReport? report)
    {
        json.WriteStartObject("precopy");
        JsonOutput.WriteMilliseconds(json, "elapsed_ms", Duration);
        json.WriteNumber("storage_bytes", StorageBytes);
        json.WriteNumber("schema_files", SchemaFiles);
        json.WriteNumber("schema_bytes", SchemaBytes);
        if (report is not null)
        {
            json.WriteString("storage", JsonOutput.SnakeCase(report.Storage.ToString()));
            json.WriteNumber("appended_bytes", report.AppendedBytes);
            json.WriteNumber("schema_files_reused", report.SchemaFilesReused);
            json.WriteNumber("schema_files_copied", report.SchemaFilesCopied);
            json.WriteNumber("schema_files_removed", report.SchemaFilesRemoved);
            if (report.Detail is { } detail)
            {
                json.WriteString("fallback", detail);
            }
            else
            {
                json.WriteNull("fallback");
            }
        }

        json.WriteEndObject();
    }
}

using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Cli.Output;

/// <summary>
/// Builds the one JSON document a command prints with <c>--json</c>. Written with
/// <see cref="Utf8JsonWriter"/>: no reflection, and the shape is exactly what the code says.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        // Paths and messages are printed as they are (raw UTF-8), not \u-escaped: this is a terminal
        // or a pipe, not an HTML page. Only what JSON requires is escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Renders one document as a string.</summary>
    public static string Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The version of every document's shape. Raised, for the command whose document changes, when a
    /// member is removed or renamed or its meaning changes; adding a member does not raise it (readers
    /// ignore members they do not know). docs/json-schema/ holds the schema of each version.
    /// </summary>
    public const int SchemaVersion = 1;

    /// <summary>The name of the failure document's schema (<c>aerosnap/error/1</c>), the same for every command.</summary>
    public const string ErrorDocument = "error";

    /// <summary><c>aerosnap/&lt;document&gt;/1</c>: the <c>"schema"</c> member that opens every JSON document.</summary>
    public static string SchemaOf(string document) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"aerosnap/{document}/{SchemaVersion}");

    /// <summary>
    /// The failure document every command prints with <c>--json</c> when it fails: <c>"schema":
    /// "aerosnap/error/1"</c>, the <c>command</c> that failed, then the AeroDB error payload at the top level,
    /// <c>{"code","severity","message","invariant"?,"details":{…}}</c>, with <c>invariant</c> the
    /// specification's id (<c>D2</c>, <c>K2</c>…) where one applies, as AeroDB's error specification
    /// requires; the rule in words stays in <c>details</c>, and so does anything the command adds
    /// (<paramref name="writeDetails"/>: verify's report).
    /// </summary>
    public static void WriteError(Utf8JsonWriter json, string command, SnapshotException error, Action<Utf8JsonWriter>? writeDetails = null)
    {
        json.WriteStartObject();
        json.WriteString("schema", SchemaOf(ErrorDocument));
        json.WriteString("command", command);
        json.WriteString("code", error.Code);
        json.WriteString("severity", SeverityName(error.Severity));
        json.WriteString("message", error.Message);
        WriteStringIfPresent(json, "invariant", error.Invariant);
        json.WriteStartObject("details");
        WriteStringIfPresent(json, "path", error.Path);
        if (error.Errno is { } errno)
        {
            json.WriteNumber("errno", errno);
        }

        if (error.Step is { } step)
        {
            json.WriteString("step", SnakeCase(step.ToString()));
        }

        WriteStringIfPresent(json, "rule", error.Rule);
        WriteStringIfPresent(json, "cleanup_failure", error.CleanupFailure?.Message);
        writeDetails?.Invoke(json);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>A usage error in the same shape (code <c>AERO_CLI_USAGE</c>), listing every parse error and the "did you mean" suggestions.</summary>
    public static void WriteUsageError(Utf8JsonWriter json, string command, IReadOnlyList<string> errors, IReadOnlyList<string> suggestions)
    {
        json.WriteStartObject();
        json.WriteString("schema", SchemaOf(ErrorDocument));
        json.WriteString("command", command);
        json.WriteString("code", UsageErrorCode);
        json.WriteString("severity", "ERROR");
        json.WriteString("message", errors.Count > 0 ? errors[0] : "Bad usage.");
        json.WriteStartObject("details");
        WriteStrings(json, "errors", errors);
        WriteStrings(json, "suggestions", suggestions);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The code reported for a bad command line; the tool's own, as AeroDB has none for it.</summary>
    public const string UsageErrorCode = "AERO_CLI_USAGE";

    public static string SeverityName(SnapshotSeverity severity) => severity == SnapshotSeverity.Fatal ? "FATAL" : "ERROR";

    public static void WriteStringIfPresent(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>
    /// One verification problem: kind, file (relative to the snapshot; <c>path</c> is always an absolute
    /// path in these documents) and message always; checksums and errno when known.
    /// </summary>
    public static void WriteProblem(Utf8JsonWriter json, VerificationProblem problem)
    {
        json.WriteStartObject();
        json.WriteString("kind", SnakeCase(problem.Kind.ToString()));
        json.WriteString("file", problem.RelativePath);
        json.WriteString("message", problem.Message);
        WriteStringIfPresent(json, "expected", problem.Expected?.ToString());
        WriteStringIfPresent(json, "actual", problem.Actual?.ToString());
        if (problem.Errno is { } errno)
        {
            json.WriteNumber("errno", errno);
        }

        json.WriteEndObject();
    }

    public static void WriteProblems(Utf8JsonWriter json, string name, IReadOnlyList<VerificationProblem> problems)
    {
        json.WriteStartArray(name);
        foreach (VerificationProblem problem in problems)
        {
            WriteProblem(json, problem);
        }

        json.WriteEndArray();
    }

    /// <summary>An array of strings.</summary>
    public static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>A string, or null when there is none (the member is always there).</summary>
    public static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>An array of snapshot ids.</summary>
    public static void WriteIds(Utf8JsonWriter json, string name, IEnumerable<SnapshotId> ids)
        => WriteStrings(json, name, ids.Select(static id => id.ToString()));

    public static void WriteMilliseconds(Utf8JsonWriter json, string name, TimeSpan elapsed)
        => json.WriteNumber(name, Math.Round(elapsed.TotalMilliseconds, 3));

    public static void WriteRate(Utf8JsonWriter json, string name, long bytes, TimeSpan elapsed)
    {
        if (Human.MegabytesPerSecond(bytes, elapsed) is { } mbps)
        {
            json.WriteNumber(name, Math.Round(mbps, 1));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary><c>ChecksumMismatch</c> → <c>checksum_mismatch</c>, matching the snake_case keys around it.</summary>
    public static string SnakeCase(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 8);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsAsciiLetterUpper(c))
            {
                if (i > 0)
                {
                    text.Append('_');
                }

                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}

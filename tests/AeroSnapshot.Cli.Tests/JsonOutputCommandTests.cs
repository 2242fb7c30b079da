using System.Text.Json;
using System.Text.Json.Nodes;

namespace AeroSnapshot.Cli.Tests;

/// <summary>
/// Every command's real --json output, success and failure, run once against real data directories:
/// the documents the schema tests check.
/// </summary>
public sealed class JsonDocumentsFixture : IDisposable
{
    private readonly DataDirectory _main = new();
    private readonly DataDirectory _precopy = new();
    private readonly DataDirectory _checkpoint = new();

    public JsonDocumentsFixture()
    {
        string id = Run("create", 0, "create", _main.Data);
        using (JsonDocument created = JsonDocument.Parse(id))
        {
            id = created.RootElement.GetProperty("snapshot_id").GetString()!;
        }

        _main.CloneSnapshot(id, "20200101T000000Z");
        _main.CloneSnapshot(id, "20200102T000000Z");
        _main.CorruptByte("20200102T000000Z");
        Directory.CreateDirectory(Path.Join(_main.SnapshotsPath, ".staging-20200103T000000Z"));
        string archive = Path.Join(_main.Root, "backup.tar");
        string restored = Path.Join(_main.Root, "restored");
        string restoredFromBackup = Path.Join(_main.Root, "restored-from-backup");
        Directory.CreateDirectory(restored);
        Directory.CreateDirectory(restoredFromBackup);

        Run("create --precopy", 0, "create", _precopy.Data, "--precopy");
        Run("verify", 0, "verify", _main.SnapshotPath(id));
        Run("verify (corrupt)", 1, "verify", _main.SnapshotPath("20200102T000000Z"));
        Run("list", 1, "list", _main.Data, "--verify");
        Run("newest", 0, "newest", _main.Data);
        Run("clean --dry-run", 0, "clean", _main.Data, "--dry-run");
        Run("clean", 0, "clean", _main.Data);
        Run("backup", 0, "backup", _main.Data, "--output", archive);
        Run("verify-backup", 0, "verify-backup", archive);
        Run("restore-backup --dry-run", 0, "restore-backup", archive, restoredFromBackup, "--dry-run");
        Run("restore-backup", 0, "restore-backup", archive, restoredFromBackup);
        Run("restore --dry-run", 0, "restore", _main.SnapshotPath(id), restored, "--dry-run");
        Run("restore", 0, "restore", _main.SnapshotPath(id), restored);
        Run("prune --dry-run", 1, "prune", _main.Data, "--keep", "1", "--keep-daily", "3", "--dry-run");
        Run("prune", 1, "prune", _main.Data, "--keep-within", "1h");
        Run("checkpoint", 0, "checkpoint", _checkpoint.Data);
        Run("demo", 0, "demo", "--size", "1MiB", "--dir", Path.Join(_main.Root, "demo"));
        Run("usage error", 2, "prune", _main.Data, "--keep-dayly", "3");
        Run("failure", 3, "list", Path.Join(_main.Root, "no-such-directory"));
        Run("completion --json", 2, "completion", "bash");
    }

    /// <summary>Each case's stdout, by case name.</summary>
    public Dictionary<string, string> Documents { get; } = [];

    public void Dispose()
    {
        _main.Dispose();
        _precopy.Dispose();
        _checkpoint.Dispose();
    }

    private string Run(string name, int exitCode, params string[] arguments)
    {
        CliResult result = CliProcess.Run([.. arguments, "--json"]);
        Assert.True(result.ExitCode == exitCode, $"{name}: expected exit {exitCode}\n{result}");
        Documents[name] = result.Stdout;
        return result.Stdout;
    }
}

/// <summary>
/// Output a script can rely on: every --json document opens with its schema and version, every
/// failure has one shape, and each command's document matches its documented JSON schema in
/// docs/json-schema/ (validated with JsonSchema.Net against the tool's real output).
/// </summary>
public sealed class JsonOutputCommandTests(JsonDocumentsFixture fixture) : IClassFixture<JsonDocumentsFixture>
{
    public static TheoryData<string> Cases =>
    [
        "create", "create --precopy", "verify", "verify (corrupt)", "list", "newest", "clean --dry-run", "clean", "backup",
        "verify-backup", "restore-backup --dry-run", "restore-backup", "restore --dry-run", "restore", "prune --dry-run", "prune",
        "checkpoint", "demo", "usage error", "failure", "completion --json",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_document_matches_the_schema_it_names(string name)
    {
        using JsonDocument document = JsonDocument.Parse(fixture.Documents[name]);

        Assert.True(JsonSchemas.Problems(document.RootElement) is not { } problems, $"{name}: {JsonSchemas.Problems(document.RootElement)}\n{fixture.Documents[name]}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_document_opens_with_its_schema_and_version(string name)
    {
        using JsonDocument document = JsonDocument.Parse(fixture.Documents[name]);

        JsonProperty first = document.RootElement.EnumerateObject().First();
        Assert.Equal("schema", first.Name);
        Assert.Matches("^aerosnap/[a-z-]+/1$", first.Value.GetString());
    }

    [Theory]
    [InlineData("verify (corrupt)", "verify", "AERO_DATA_CORRUPTION")]
    [InlineData("usage error", "prune", "AERO_CLI_USAGE")]
    [InlineData("failure", "list", "AERO_SNAPSHOT_FAILED")]
    [InlineData("completion --json", "completion", "AERO_CLI_USAGE")]
    public void Every_failure_is_the_one_failure_document(string name, string command, string code)
    {
        using JsonDocument document = JsonDocument.Parse(fixture.Documents[name]);
        JsonElement root = document.RootElement;

        Assert.Equal("aerosnap/error/1", root.GetProperty("schema").GetString());
        Assert.Equal(command, root.GetProperty("command").GetString());
        Assert.Equal(code, root.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.String, root.GetProperty("message").ValueKind);
        Assert.Equal(JsonValueKind.Object, root.GetProperty("details").ValueKind);
        Assert.False(root.TryGetProperty("error", out _), "an error nested in the document");
    }

    [Fact]
    public void The_same_thing_has_the_same_key_in_every_command()
    {
        foreach (string name in Cases)
        {
            string text = fixture.Documents[name];
            Assert.DoesNotContain("\"target_dir\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"id\":", text, StringComparison.Ordinal);
            using JsonDocument document = JsonDocument.Parse(text);
            bool isError = document.RootElement.GetProperty("schema").GetString() == "aerosnap/error/1";

            // "path" is only ever the file an error is about.
            int paths = CountKey(document.RootElement, "path");
            Assert.True(paths == 0 || (isError && paths == 1), $"{name} uses \"path\" for something else than an error's file:\n{text}");
        }
    }

    [Fact]
    public void The_schemas_are_strict_a_renamed_or_missing_key_fails()
    {
        JsonNode created = JsonNode.Parse(fixture.Documents["create"])!;
        JsonObject renamed = created.DeepClone().AsObject();
        renamed["path"] = renamed["snapshot_dir"]!.DeepClone();
        renamed.Remove("snapshot_dir");
        JsonObject wrongType = created.DeepClone().AsObject();
        wrongType["bytes"] = "many";
        JsonNode listed = JsonNode.Parse(fixture.Documents["list"])!;
        listed["entries"]![0]!.AsObject()["id"] = "20200101T000000Z";

        foreach (JsonNode broken in new JsonNode[] { renamed, wrongType, listed })
        {
            using JsonDocument document = JsonDocument.Parse(broken.ToJsonString());
            Assert.NotNull(JsonSchemas.Problems(document.RootElement));
        }
    }

    [Fact]
    public void Every_command_has_a_schema_file()
    {
        foreach (string command in new[] { "create", "verify", "list", "newest", "clean", "prune", "restore", "checkpoint", "backup", "verify-backup", "restore-backup", "demo", "error" })
        {
            Assert.True(File.Exists(Path.Join(JsonSchemas.Directory, command + ".json")), $"docs/json-schema/{command}.json");
        }
    }

    private static int CountKey(JsonElement element, string key) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Sum(p => (p.Name == key ? 1 : 0) + CountKey(p.Value, key)),
        JsonValueKind.Array => element.EnumerateArray().Sum(e => CountKey(e, key)),
        _ => 0,
    };
}

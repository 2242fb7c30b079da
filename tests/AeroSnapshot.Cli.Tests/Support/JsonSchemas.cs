using System.Text.Json;
using Json.Schema;

namespace AeroSnapshot.Cli.Tests.Support;

/// <summary>
/// The documented JSON schemas (docs/json-schema/, copied beside the tests), built once into one
/// registry so that each command's schema can refer to the shared definitions in common.json.
/// </summary>
public static class JsonSchemas
{
    private static readonly Lazy<Dictionary<string, JsonSchema>> s_schemas = new(Load);

    public static string Directory => Path.Join(AppContext.BaseDirectory, "docs", "json-schema");

    /// <summary>The schema named by a document's <c>"schema"</c> member: <c>aerosnap/verify-backup/1</c> → verify-backup.json.</summary>
    public static JsonSchema For(string schemaMember)
    {
        string[] parts = schemaMember.Split('/');
        Assert.True(parts is ["aerosnap", _, "1"], $"'{schemaMember}' is not aerosnap/<document>/1");
        Assert.True(s_schemas.Value.TryGetValue(parts[1], out JsonSchema? schema), $"docs/json-schema/{parts[1]}.json does not exist");
        return schema!;
    }

    /// <summary>Null when <paramref name="document"/> is valid, else every error with where it is.</summary>
    public static string? Problems(JsonElement document)
    {
        string schemaMember = document.GetProperty("schema").GetString()!;
        EvaluationResults results = For(schemaMember).Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return null;
        }

        IEnumerable<string> errors = (results.Details ?? [])
            .Where(static d => d.Errors is { Count: > 0 })
            .SelectMany(static d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"));
        return $"{schemaMember}: " + string.Join("\n", errors);
    }

    private static Dictionary<string, JsonSchema> Load()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        string[] files = System.IO.Directory.GetFiles(Directory, "*.json");
        Assert.NotEmpty(files);

        // common.json first: the others refer to it by its $id.
        var schemas = new Dictionary<string, JsonSchema>(StringComparer.Ordinal);
        foreach (string file in files.OrderBy(static f => Path.GetFileName(f) == "common.json" ? 0 : 1))
        {
            schemas[Path.GetFileNameWithoutExtension(file)] = JsonSchema.FromText(File.ReadAllText(file), options);
        }

        return schemas;
    }
}

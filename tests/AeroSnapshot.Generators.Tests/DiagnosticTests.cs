using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AeroSnapshot.Generators.Tests;

/// <summary>
/// Each diagnostic must point at the member or type to fix, fire for exactly the case it describes,
/// and stop the generator from emitting half a document for that type.
/// </summary>
public sealed class DiagnosticTests
{
    private const string Usings = """
        using AeroSnapshot.Fast;
        using AeroSnapshot.Fast.ManifestFormat;
        namespace Samples;

        """;

    /// <summary>
    /// Runs the generator over <paramref name="markup"/>, where <c>[|…|]</c> marks the one span the
    /// diagnostic must be reported at, and checks that it is the only diagnostic the generator reports.
    /// </summary>
    private static Diagnostic AssertSingleDiagnosticAt(string id, string markup)
    {
        (string source, TextSpan expected) = ParseMarkup(Usings + markup);
        var (result, _, diagnostics) = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(expected, diagnostic.Location.SourceSpan);
        Assert.Equal("Sample0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Empty(result.GeneratedSources);
        return diagnostic;
    }

    private static (string Source, TextSpan Span) ParseMarkup(string markup)
    {
        int start = markup.IndexOf("[|", StringComparison.Ordinal);
        int end = markup.IndexOf("|]", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "markup needs one [|span|]");
        string source = markup[..start] + markup[(start + 2)..end] + markup[(end + 2)..];
        return (source, TextSpan.FromBounds(start, end - 2));
    }

    [Theory]
    [InlineData("double")]
    [InlineData("uint")]
    [InlineData("System.DateTime")]
    [InlineData("System.Collections.Generic.List<string>")]
    [InlineData("int[]")]
    [InlineData("decimal?")]
    [InlineData("object")]
    public void AEROGEN001_unsupported_member_type_is_reported_at_the_member(string type)
    {
        Diagnostic diagnostic = AssertSingleDiagnosticAt("AEROGEN001", $$"""
            [JsonDocument]
            public partial class Doc
            {
                [JsonField("ok")] public int Ok { get; init; }
                [JsonField("bad")] public {{type}} [|Bad|] { get; init; } = default!;
            }
            """);

        Assert.Contains("'Bad'", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void AEROGEN001_a_look_alike_type_from_another_namespace_is_not_accepted()
    {
        AssertSingleDiagnosticAt("AEROGEN001", """
            public struct SnapshotId { }

            [JsonDocument]
            public partial class Doc
            {
                [JsonField("id")] public Samples.SnapshotId [|Id|] { get; init; }
            }
            """);
    }

    [Fact]
    public void AEROGEN002_type_that_is_not_partial_is_reported_at_its_name()
    {
        AssertSingleDiagnosticAt("AEROGEN002", """
            [JsonDocument]
            public sealed class [|Doc|]
            {
                [JsonField("n")] public int N { get; init; }
            }
            """);
    }

    [Fact]
    public void AEROGEN003_json_key_used_twice_is_reported_at_the_second_member()
    {
        Diagnostic diagnostic = AssertSingleDiagnosticAt("AEROGEN003", """
            [JsonDocument]
            public partial class Doc
            {
                [JsonField("n")] public int First { get; init; }
                [JsonField("n")] public int [|Second|] { get; init; }
            }
            """);

        Assert.Contains("'First'", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public int [|N|] { get; }")]
    [InlineData("public int [|N|] => 1;")]
    [InlineData("public static int [|N|] { get; set; }")]
    public void AEROGEN004_member_the_reader_cannot_set_is_reported_at_the_member(string member)
    {
        AssertSingleDiagnosticAt("AEROGEN004", $$"""
            [JsonDocument]
            public partial class Doc
            {
                [JsonField("n")] {{member}}
            }
            """);
    }

    [Theory]
    [InlineData("")]
    [InlineData("snapshot-id")]
    [InlineData("with space")]
    [InlineData("quote\\\"")]
    [InlineData("na\u00efve")]
    public void AEROGEN005_json_key_that_is_not_plain_ascii_is_reported_at_the_member(string name)
    {
        AssertSingleDiagnosticAt("AEROGEN005", $$"""
            [JsonDocument]
            public partial class Doc
            {
                [JsonField("{{name}}")] public int [|N|] { get; init; }
            }
            """);
    }

    [Fact]
    public void AEROGEN006_nested_type_is_reported_at_its_name()
    {
        AssertSingleDiagnosticAt("AEROGEN006", """
            public partial class Outer
            {
                [JsonDocument]
                public partial class [|Inner|]
                {
                    [JsonField("n")] public int N { get; init; }
                }
            }
            """);
    }

    [Fact]
    public void AEROGEN006_record_is_reported_at_its_name()
    {
        // A record is a class to [AttributeUsage], but a generated "partial class" cannot complete it.
        AssertSingleDiagnosticAt("AEROGEN006", """
            [JsonDocument]
            public partial record [|Doc|]
            {
                [JsonField("n")] public int N { get; init; }
            }
            """);
    }

    [Fact]
    public void AEROGEN006_struct_is_reported_at_its_name_as_well_as_by_the_compiler()
    {
        // The compiler's CS0592 comes from [AttributeUsage]; the generator must not emit a class for it.
        AssertSingleDiagnosticAt("AEROGEN006", """
            [JsonDocument]
            public partial struct [|Doc|]
            {
                [JsonField("n")] public int N { get; init; }
            }
            """);
    }

    [Fact]
    public void AEROGEN006_generic_type_is_reported_at_its_name()
    {
        AssertSingleDiagnosticAt("AEROGEN006", """
            [JsonDocument]
            public partial class [|Doc|]<T>
            {
                [JsonField("n")] public int N { get; init; }
            }
            """);
    }

    [Fact]
    public void Valid_document_reports_no_diagnostics()
    {
        var (result, output, diagnostics) = GeneratorHarness.Run(Usings + """
            [JsonDocument]
            public partial class Doc
            {
                [JsonField("n")] public int N { get; init; }
                [JsonField("s")] public string? S { get; private set; }
                public double NotAField { get; set; }
                public static int AlsoNotAField => 1;
            }
            """);

        Assert.Empty(diagnostics);
        Assert.Single(result.GeneratedSources);
        Assert.Empty(GeneratorHarness.Problems(output, diagnostics));
    }

    [Fact]
    public void Problems_in_one_document_do_not_stop_another_from_being_generated()
    {
        var (result, _, diagnostics) = GeneratorHarness.Run(Usings + """
            [JsonDocument]
            public partial class Good
            {
                [JsonField("n")] public int N { get; init; }
            }

            [JsonDocument]
            public partial class Bad
            {
                [JsonField("n")] public double N { get; init; }
            }
            """);

        Assert.Equal("AEROGEN001", Assert.Single(diagnostics).Id);
        Assert.Equal("Samples.Good.Json.g.cs", Assert.Single(result.GeneratedSources).HintName);
    }

    [Fact]
    public void Every_problem_in_a_document_is_reported_not_just_the_first()
    {
        var (_, _, diagnostics) = GeneratorHarness.Run(Usings + """
            [JsonDocument]
            public class Doc
            {
                [JsonField("a")] public double A { get; init; }
                [JsonField("b-c")] public int B { get; init; }
                [JsonField("d")] public int D { get; }
            }
            """);

        Assert.Equal(["AEROGEN001", "AEROGEN002", "AEROGEN004", "AEROGEN005"], diagnostics.Select(d => d.Id).Order());
    }
}

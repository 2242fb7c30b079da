using System.Text;
using AeroSnapshot.Fast.ManifestFormat;

namespace AeroSnapshot.Fast.Tests.ManifestFormat;

/// <summary>
/// The writer's own limits and misuse errors, which no manifest reaches (a manifest nests two
/// levels). Found by the mutation run of issue #17: the depth limit could be moved by one and the
/// misuse checks removed without failing a test. The limit is 62 because one bit of a
/// <c>ulong</c> per level records whether that level already has a value.
/// </summary>
public sealed class JsonPrettyWriterLimitsTests
{
    [Fact]
    public void Sixty_two_nested_objects_are_written_and_closed_exactly()
    {
        byte[] buffer = new byte[16 * 1024];
        var writer = new JsonPrettyWriter(buffer);
        OpenNested(ref writer, levels: 62);

        for (int depth = 0; depth < 62; depth++)
        {
            writer.WriteEndObject();
        }

        Assert.True(writer.Fits);
        string json = Encoding.UTF8.GetString(buffer, 0, writer.BytesNeeded);
        Assert.Equal(Nested(0, levels: 62), json);
    }

    /// <summary>serde_json's pretty form of <paramref name="levels"/> objects, each the only value of the one before.</summary>
    private static string Nested(int depth, int levels) => depth == levels - 1
        ? "{}"
        : "{\n" + new string(' ', 2 * (depth + 1)) + "\"k\": " + Nested(depth + 1, levels) + "\n" + new string(' ', 2 * depth) + "}";

    [Fact]
    public void The_sixty_third_nested_object_is_refused()
    {
        byte[] buffer = new byte[16 * 1024];
        var writer = new JsonPrettyWriter(buffer);
        OpenNested(ref writer, levels: 62);

        writer.WritePropertyName("k");
        int before = writer.BytesNeeded;
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => OpenOneMore(buffer, before));
        Assert.Contains("too deep", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(1013)]
    public void A_string_longer_than_what_precedes_it_is_counted_but_not_written_when_it_does_not_fit(int room)
    {
        // The measuring pass (an empty span) and a too-small buffer must count every byte and
        // write none past the end, also for a string longer than the document before it.
        string name = new('p', 1000);
        byte[] buffer = new byte[room];
        var writer = new JsonPrettyWriter(buffer);
        writer.WriteStartObject();
        writer.WritePropertyName(name);
        writer.WriteValue("é");
        writer.WriteEndObject();

        string expected = "{\n  \"" + name + "\": \"é\"\n}";
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(expected), writer.BytesNeeded);
        Assert.False(writer.Fits);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(expected)[..Math.Min(room, 5)], buffer[..Math.Min(room, 5)]);
    }

    [Fact]
    public void Closing_with_no_open_object_is_refused()
    {
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(static () =>
        {
            var writer = new JsonPrettyWriter(new byte[16]);
            writer.WriteEndObject();
        });
        Assert.Contains("No object is open", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_property_outside_an_object_is_refused_for_both_kinds_of_name()
    {
        Assert.Contains("needs an open object", Assert.Throws<InvalidOperationException>(static () =>
        {
            var writer = new JsonPrettyWriter(new byte[16]);
            writer.WritePropertyName("k");
        }).Message, StringComparison.Ordinal);
        Assert.Contains("needs an open object", Assert.Throws<InvalidOperationException>(static () =>
        {
            var writer = new JsonPrettyWriter(new byte[16]);
            writer.WritePropertyName("k"u8);
        }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_names_values_and_maps_are_argument_errors_not_null_dereferences()
    {
        Assert.Throws<ArgumentNullException>(static () =>
        {
            var writer = new JsonPrettyWriter(new byte[64]);
            writer.WriteStartObject();
            writer.WritePropertyName((string)null!);
        });
        Assert.Throws<ArgumentNullException>(static () =>
        {
            var writer = new JsonPrettyWriter(new byte[64]);
            writer.WriteValue((string)null!);
        });
        Assert.Throws<ArgumentNullException>(static () =>
        {
            var writer = new JsonPrettyWriter(new byte[64]);
            writer.WriteValue((ChecksumMap)null!);
        });
    }

    [Fact]
    public void An_unpaired_surrogate_is_refused_rather_than_written_as_a_replacement_character()
    {
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(static () =>
        {
            var writer = new JsonPrettyWriter(new byte[64]);
            writer.WriteValue("a\ud800b");
        });
        Assert.Contains("unpaired surrogate", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Opens <paramref name="levels"/> objects, each the value of key <c>k</c> in the one before.</summary>
    private static void OpenNested(ref JsonPrettyWriter writer, int levels)
    {
        writer.WriteStartObject();
        for (int depth = 1; depth < levels; depth++)
        {
            writer.WritePropertyName("k");
            writer.WriteStartObject();
        }
    }

    /// <summary>Replays the 62 levels on a fresh writer and opens a 63rd (a ref struct cannot be captured by the lambda).</summary>
    private static void OpenOneMore(byte[] buffer, int expectedPosition)
    {
        var writer = new JsonPrettyWriter(buffer);
        OpenNested(ref writer, levels: 62);

        writer.WritePropertyName("k");
        Assert.Equal(expectedPosition, writer.BytesNeeded);
        writer.WriteStartObject();
    }
}

using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Creation;

/// <summary>
/// Names and links around the source: a backslash is a legal Linux file name and is copied; one
/// rule for links on the way to the schemas inside the data directory (refused, never followed);
/// a <c>snapshots</c> entry that is not a directory is named for what it is; and a failed create
/// leaves the data directory as it found it, without a <c>snapshots/</c> it made itself.
/// </summary>
public sealed class SourceNamesAndLinksTests : IDisposable
{
    private readonly TestDataDirectory _data = new();
    private readonly TestDataDirectory _outside = new();
    private readonly SnapshotManager _manager = new();

    public SourceNamesAndLinksTests() => _data.WriteStorage(4096);

    public void Dispose()
    {
        _manager.Dispose();
        _data.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public void A_schema_file_whose_name_holds_a_backslash_is_copied_and_listed_json_escaped()
    {
        _data.WriteSchema("back\\slash.json", "{\"b\":1}");
        _data.WriteSchema("dir\\name/inner.json", "{}");

        SnapshotId id = _data.CreateSnapshot(_manager);

        string snapshot = _data.SnapshotDirectory(id);
        Assert.Equal("{\"b\":1}", File.ReadAllText(Path.Join(snapshot, "schemas", "back\\slash.json")));
        string manifest = File.ReadAllText(Path.Join(snapshot, "manifest.json"));
        Assert.Contains("\"back\\\\slash.json\": \"crc32:", manifest, StringComparison.Ordinal);
        Assert.Contains("\"dir\\\\name/inner.json\": \"crc32:", manifest, StringComparison.Ordinal);
        Assert.True(_manager.Verify(snapshot).IsValid);
    }

    [Fact]
    public void A_symlinked_metadata_directory_is_refused_like_a_symlinked_schemas_directory()
    {
        Directory.CreateDirectory(Path.Join(_outside.Root, "metadata", "schemas"));
        File.WriteAllText(Path.Join(_outside.Root, "metadata", "schemas", "foreign.json"), "{}");
        Directory.CreateSymbolicLink(Path.Join(_data.Root, "metadata"), Path.Join(_outside.Root, "metadata"));

        SnapshotException error = Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(Path.Join(_data.Root, "metadata"), error.Path);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_data.SnapshotsDirectory));
    }

    [Fact]
    public void A_symlinked_schemas_directory_is_refused()
    {
        Directory.CreateDirectory(Path.Join(_data.Root, "metadata"));
        Directory.CreateDirectory(Path.Join(_outside.Root, "schemas"));
        Directory.CreateSymbolicLink(_data.SchemaDirectory, Path.Join(_outside.Root, "schemas"));

        SnapshotException error = Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_schema_directory_outside_the_data_directory_may_be_reached_through_a_link()
    {
        // The caller named that path; only its last component is held to the no-link rule.
        Directory.CreateDirectory(Path.Join(_outside.Root, "real", "schemas"));
        File.WriteAllText(Path.Join(_outside.Root, "real", "schemas", "x.json"), "{}");
        Directory.CreateSymbolicLink(Path.Join(_outside.Root, "via"), Path.Join(_outside.Root, "real"));
        var executionLock = new GlobalExecutionLock();
        SnapshotId id;
        using (executionLock.Acquire())
        {
            id = _manager.CreateSnapshot(_data.Root, _data.StoragePath, Path.Join(_outside.Root, "via", "schemas"), WalDurability.None, executionLock).Id;
        }

        Assert.True(File.Exists(Path.Join(_data.SnapshotDirectory(id), "schemas", "x.json")));
    }

    [Theory]
    [InlineData("file", "a regular file")]
    [InlineData("dangling link", "a symbolic link")]
    [InlineData("link to a directory", "a symbolic link")]
    public void A_snapshots_entry_that_is_not_a_directory_is_named_for_what_it_is_and_left_alone(string kind, string described)
    {
        string snapshots = _data.SnapshotsDirectory;
        switch (kind)
        {
            case "file":
                File.WriteAllText(snapshots, "not a directory");
                break;
            case "dangling link":
                File.CreateSymbolicLink(snapshots, Path.Join(_outside.Root, "nowhere"));
                break;
            default:
                File.CreateSymbolicLink(snapshots, _outside.Root);
                break;
        }

        SnapshotException error = Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager));

        Assert.Equal(snapshots, error.Path);
        Assert.Contains($"is {described}, not a directory", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("EEXIST", error.Message, StringComparison.Ordinal);
        Assert.Equal(kind != "file", error.Message.Contains("(not followed)", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside.Root));
        Assert.False(Path.Exists(Path.Join(_outside.Root, "nowhere")));
    }

    [Fact]
    public void A_failed_create_removes_the_snapshots_directory_it_created()
    {
        _data.WriteSchema("a.json", "{}");

        Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager, Faults.FailAt(SnapshotStep.CopySchemas)));

        Assert.False(Path.Exists(_data.SnapshotsDirectory));
    }

    [Fact]
    public void A_failed_create_keeps_a_snapshots_directory_that_was_there_before()
    {
        _data.WriteSchema("a.json", "{}");
        SnapshotId first = _data.CreateSnapshot(_manager, new SnapshotOptions { TimeProvider = new FixedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)) });

        Assert.Throws<SnapshotException>(() => _data.CreateSnapshot(_manager, Faults.FailAt(SnapshotStep.CopySchemas)));

        Assert.Equal([first.ToString()], Directory.EnumerateFileSystemEntries(_data.SnapshotsDirectory).Select(Path.GetFileName));
    }
}

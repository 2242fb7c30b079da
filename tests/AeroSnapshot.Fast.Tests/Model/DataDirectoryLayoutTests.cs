using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Model;

/// <summary>Where a data directory keeps its storage file, found from the directory itself (issue 24 item 5).</summary>
public sealed class DataDirectoryLayoutTests : IDisposable
{
    private readonly TestDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private string Nested => Path.Join(_data.Root, "data", "storage.dat");

    [Fact]
    public void A_storage_file_at_the_top_is_where_the_layout_says_it_is()
    {
        _data.WriteStorage(10);

        DataDirectoryLayout layout = DataDirectoryLayout.Detect(_data.Root);

        Assert.Equal(StorageFileLocation.TopLevel, layout.StorageLocation);
        Assert.Equal(_data.StoragePath, layout.StorageFilePath);
    }

    [Fact]
    public void A_storage_file_under_data_as_AeroDB_restore_leaves_it_is_found_there()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Nested)!);
        File.WriteAllText(Nested, "aerodb");

        DataDirectoryLayout layout = DataDirectoryLayout.Detect(_data.Root);

        Assert.Equal(StorageFileLocation.DataSubdirectory, layout.StorageLocation);
        Assert.Equal(Nested, layout.StorageFilePath);
    }

    [Fact]
    public void A_data_directory_without_a_storage_file_but_with_data_as_AeroDB_init_makes_it_is_laid_out_under_data()
    {
        Directory.CreateDirectory(Path.Join(_data.Root, "data"));

        Assert.Equal(StorageFileLocation.DataSubdirectory, DataDirectoryLayout.Detect(_data.Root).StorageLocation);
    }

    [Fact]
    public void An_empty_or_missing_directory_is_laid_out_at_the_top()
    {
        Assert.Equal(StorageFileLocation.TopLevel, DataDirectoryLayout.Detect(_data.Root).StorageLocation);
        Assert.Equal(StorageFileLocation.TopLevel, DataDirectoryLayout.Detect(Path.Join(_data.Root, "not-there")).StorageLocation);
    }

    [Fact]
    public void A_data_that_is_a_link_is_not_followed()
    {
        string elsewhere = Path.Join(_data.Root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Join(elsewhere, "storage.dat"), "not ours");
        File.CreateSymbolicLink(Path.Join(_data.Root, "data"), elsewhere);

        Assert.Equal(StorageFileLocation.TopLevel, DataDirectoryLayout.Detect(_data.Root).StorageLocation);
    }

    [Fact]
    public void A_directory_holding_both_storage_files_is_refused_naming_both_rather_than_guessed_at()
    {
        _data.WriteStorage(10);
        Directory.CreateDirectory(Path.GetDirectoryName(Nested)!);
        File.WriteAllText(Nested, "aerodb");

        SnapshotException error = Assert.Throws<SnapshotException>(() => DataDirectoryLayout.Detect(_data.Root));

        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Contains(_data.StoragePath, error.Message, StringComparison.Ordinal);
        Assert.Contains(Nested, error.Message, StringComparison.Ordinal);
        Assert.Equal(StorageFileLocation.DataSubdirectory, DataDirectoryLayout.Resolve(_data.Root, StorageFileLocation.DataSubdirectory).StorageLocation);
    }

    [Fact]
    public void Every_part_of_the_layout_has_its_path()
    {
        DataDirectoryLayout layout = DataDirectoryLayout.For(_data.Root + "/", StorageFileLocation.DataSubdirectory);

        Assert.Equal(_data.Root, layout.DataDirectory);
        Assert.Equal(Nested, layout.StorageFilePath);
        Assert.Equal(_data.SchemaDirectory, layout.SchemaDirectory);
        Assert.Equal(Path.Join(_data.Root, "wal", "wal.log"), layout.WalPath);
        Assert.Equal(_data.SnapshotsDirectory, layout.SnapshotsDirectory);
        Assert.Equal(Path.Join(_data.Root, ".lock"), layout.RunningMarkerPath);
        Assert.Equal("storage.dat", DataDirectoryLayout.StorageRelativePath(StorageFileLocation.TopLevel));
        Assert.Equal("data/storage.dat", DataDirectoryLayout.StorageRelativePath(StorageFileLocation.DataSubdirectory));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataDirectoryLayout.For(_data.Root, (StorageFileLocation)7));
    }
}

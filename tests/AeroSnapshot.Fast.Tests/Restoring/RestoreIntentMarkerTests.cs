using System.Text;
using AeroSnapshot.Fast.IO.Interop;
using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Restoring;

namespace AeroSnapshot.Fast.Tests.Restoring;

/// <summary>
/// The restore intent marker is what a crashed restore's recovery trusts to move the data directory's
/// entries back; it must read back exactly what was written, and a marker that is not exactly as
/// written (damaged, truncated, hand-edited) must be refused naming the file, never half-applied.
/// Found by the mutation run of issue #17: the parser's rejections had no test of their own.
/// </summary>
public sealed class RestoreIntentMarkerTests : IDisposable
{
    private static readonly SnapshotId Id = SnapshotId.Parse("20260102T030405Z");
    private readonly string _directory = Directory.CreateTempSubdirectory("aerosnap-intent-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string MarkerPath => Path.Join(_directory, RestoreIntent.FileName);

    private void WriteMarker(string text) => File.WriteAllBytes(MarkerPath, Encoding.UTF8.GetBytes(text));

    private static string Hex(string name) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(name));

    [Fact]
    public void A_marker_written_durably_reads_back_the_same_names_in_the_same_order()
    {
        byte[][] top = [Encoding.UTF8.GetBytes("snapshots"), Encoding.UTF8.GetBytes("wal"), [0xff, 0x41]];
        byte[][] inMetadata = [Encoding.UTF8.GetBytes("catalog.json")];
        using (DirectoryHandle handle = DirectoryHandle.Open(_directory))
        {
            new RestoreIntent(Id, top, inMetadata).WriteDurably(handle);
        }

        Assert.False(File.Exists(MarkerPath + ".tmp"));
        Assert.True(RestoreIntent.ExistsIn(_directory));
        RestoreIntent read = RestoreIntent.TryRead(_directory)!;
        Assert.Equal(Id, read.Id);
        Assert.Equal(top, read.TopLevel);
        Assert.Equal(inMetadata, read.InMetadata);
        Assert.Equal(
            $"aerosnap-restore-intent 1\nsnapshot {Id}\ntop {Hex("snapshots")}\ntop {Hex("wal")}\ntop ff41\nmetadata {Hex("catalog.json")}\nend\n",
            File.ReadAllText(MarkerPath));
    }

    [Fact]
    public void A_marker_with_no_entries_reads_back_empty()
    {
        WriteMarker($"aerosnap-restore-intent 1\nsnapshot {Id}\nend\n");
        RestoreIntent read = RestoreIntent.TryRead(_directory)!;
        Assert.Equal(Id, read.Id);
        Assert.Empty(read.TopLevel);
        Assert.Empty(read.InMetadata);
    }

    [Fact]
    public void No_marker_reads_as_none()
    {
        Assert.False(RestoreIntent.ExistsIn(_directory));
        Assert.Null(RestoreIntent.TryRead(_directory));
    }

    [Fact]
    public void Writing_over_an_existing_marker_is_refused_and_keeps_it()
    {
        WriteMarker("someone else's");
        using DirectoryHandle handle = DirectoryHandle.Open(_directory);
        var error = Assert.Throws<NativeIOException>(() => new RestoreIntent(Id, [], []).WriteDurably(handle));
        Assert.Equal(Errno.EEXIST, error.Errno);
        Assert.Equal("someone else's", File.ReadAllText(MarkerPath));
    }

    public static TheoryData<string, string> Damaged => new()
    {
        { "aerosnap-restore-intent 2\nsnapshot 20260102T030405Z\nend\n", "header or end line" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\n", "header or end line" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\nend", "header or end line" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\nend\nend\n", "line 3 does not hold a single file name" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\nend\n\n", "header or end line" },
        { "aerosnap-restore-intent 1\nsnapshots 20260102T030405Z\nend\n", "header or end line" },
        { "aerosnap-restore-intent 1\nsnapshot 2026-01-02\nend\n", "header or end line" },
        { "aerosnap-restore-intent 1\nend\n", "header or end line" },
        { "aerosnap-restore-intent 1\nsnapshot:20260102T030405Z\nend\n", "header or end line" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\n 61\nend\n", "line 3 is not an entry line" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\ntop zz\nend\n", "line 3 is not a name in hexadecimal" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\ntop 616\nend\n", "line 3 is not a name in hexadecimal" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\ntop\nend\n", "line 3 does not hold a single file name" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\ntop \nend\n", "line 3 does not hold a single file name" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\ntop 2e\nend\n", "line 3 does not hold a single file name" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\ntop 2e2e\nend\n", "line 3 does not hold a single file name" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\ntop 612f62\nend\n", "line 3 does not hold a single file name" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\ntop 610062\nend\n", "line 3 does not hold a single file name" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\ntop 61\nother 62\nend\n", "line 4 is not an entry line" },
        { "aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\nTOP 61\nend\n", "line 3 is not an entry line" },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void A_marker_not_exactly_as_written_is_refused_naming_it_and_why(string text, string why)
    {
        WriteMarker(text);
        var error = Assert.Throws<SnapshotException>(() => RestoreIntent.TryRead(_directory));
        Assert.Equal(SnapshotErrorCode.Failed, error.Code);
        Assert.Equal(SnapshotStep.RestoreRecover, error.Step);
        Assert.Equal(MarkerPath, error.Path);
        Assert.Equal(Errno.EINVAL, error.Errno);
        Assert.Contains(MarkerPath, error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Contains("left as it is", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_marker_that_is_not_utf8_is_refused()
    {
        File.WriteAllBytes(MarkerPath, [.. Encoding.UTF8.GetBytes("aerosnap-restore-intent 1\nsnapshot 20260102T030405Z\n"), 0xc3, 0x28, .. "\nend\n"u8]);
        var error = Assert.Throws<SnapshotException>(() => RestoreIntent.TryRead(_directory));
        Assert.Contains("not UTF-8 text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_marker_larger_than_16_MiB_is_refused_without_reading_it()
    {
        using (FileStream stream = File.Create(MarkerPath))
        {
            stream.SetLength((16 * 1024 * 1024) + 1);
        }

        var error = Assert.Throws<SnapshotException>(() => RestoreIntent.TryRead(_directory));
        Assert.Contains("it is 16777217 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_marker_of_exactly_16_MiB_is_read_and_judged_by_its_content()
    {
        using (FileStream stream = File.Create(MarkerPath))
        {
            stream.SetLength(16 * 1024 * 1024);
        }

        var error = Assert.Throws<SnapshotException>(() => RestoreIntent.TryRead(_directory));
        Assert.Contains("header or end line", error.Message, StringComparison.Ordinal);
    }
}

using System.Text;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Reliability;

/// <summary>
/// The oracle the power-cut and process suites judge survivors with must accept a real snapshot
/// and reject each way one can be wrong; otherwise those suites would pass whatever it was given.
/// </summary>
public sealed class IndependentSnapshotOracleTests : IDisposable
{
    private readonly TestDataDirectory _data = new();
    private readonly string _snapshot;
    private readonly ExpectedContent _sources;

    public IndependentSnapshotOracleTests()
    {
        _data.WriteStorage(70_001, seed: 5);
        _data.WriteSchema("users/user_v1.json", "{\"type\":\"object\"}");
        _data.WriteSchema("b\"q\u0001\U0001F600.json", "{}");
        Directory.CreateDirectory(Path.Join(_data.SchemaDirectory, "empty", "dir"));
        _sources = ExpectedContent.Read(_data.StoragePath, _data.SchemaDirectory);
        using var manager = new SnapshotManager();
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        _snapshot = _data.SnapshotDirectory(_data.CreateSnapshot(manager, new SnapshotOptions { TimeProvider = clock }));
        MakeWritable(_snapshot);
    }

    public void Dispose() => _data.Dispose();

    [Fact]
    public void Accepts_a_snapshot_the_library_took_and_a_restore_of_it()
    {
        Assert.Empty(IndependentSnapshotOracle.Judge(_snapshot, _sources));
        Assert.Empty(IndependentSnapshotOracle.JudgeRestored(_data.Root, IndependentSnapshotOracle.ContentOf(_snapshot)));
    }

    [Theory]
    [InlineData("storage byte flipped", "storage_checksum")]
    [InlineData("schema byte flipped", "schema_checksums[")]
    [InlineData("schema file missing from the manifest", "lacks")]
    [InlineData("extra schema file", "lacks")]
    [InlineData("keys out of contract order", "in that order")]
    [InlineData("created_at a second later", "created_at")]
    [InlineData("format_version 2", "format_version")]
    [InlineData("trailing comma", "not valid UTF-8 JSON")]
    [InlineData("manifest not UTF-8", "not valid UTF-8 JSON")]
    [InlineData("storage is a symlink", "not a link")]
    [InlineData("extra top-level file", "expected exactly")]
    [InlineData("empty directory not copied", "directories")]
    public void Rejects_a_snapshot_that_is_wrong(string damage, string expectedProblem)
    {
        Damage(damage);

        List<string> problems = IndependentSnapshotOracle.Judge(_snapshot, _sources);

        Assert.Contains(problems, p => p.Contains(expectedProblem, StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_a_self_consistent_snapshot_of_other_bytes_only_when_given_the_sources()
    {
        // A snapshot whose manifest matches its files, but whose storage is not what the source held.
        string storage = Path.Join(_snapshot, "storage.dat");
        byte[] other = File.ReadAllBytes(storage);
        other[^1] ^= 0x40;
        File.WriteAllBytes(storage, other);
        RewriteManifest(m => m.Replace(IndependentSnapshotOracle.Checksum(_sources.Storage), IndependentSnapshotOracle.Checksum(other), StringComparison.Ordinal));

        Assert.Empty(IndependentSnapshotOracle.Judge(_snapshot));
        Assert.Contains(IndependentSnapshotOracle.Judge(_snapshot, _sources), p => p.Contains("differ from the source", StringComparison.Ordinal));
    }

    private void Damage(string damage)
    {
        string storage = Path.Join(_snapshot, "storage.dat");
        string schemas = Path.Join(_snapshot, "schemas");
        switch (damage)
        {
            case "storage byte flipped":
                FlipByte(storage);
                break;
            case "schema byte flipped":
                FlipByte(Path.Join(schemas, "users", "user_v1.json"));
                break;
            case "schema file missing from the manifest":
                RewriteManifest(m => string.Join('\n', m.Split('\n').Where(static l => !l.Contains("user_v1.json", StringComparison.Ordinal))).Replace(",\n  },", "\n  },", StringComparison.Ordinal));
                break;
            case "extra schema file":
                File.WriteAllText(Path.Join(schemas, "users", "extra.json"), "{}");
                break;
            case "keys out of contract order":
                RewriteManifest(m =>
                {
                    string[] lines = m.Split('\n');
                    (lines[1], lines[2]) = (lines[2], lines[1]);
                    return string.Join('\n', lines);
                });
                break;
            case "created_at a second later":
                RewriteManifest(static m => m.Replace("\"created_at\": \"2026-05-01T12:00:00Z\"", "\"created_at\": \"2026-05-01T12:00:01Z\"", StringComparison.Ordinal));
                break;
            case "format_version 2":
                RewriteManifest(m => m.Replace("\"format_version\": 1", "\"format_version\": 2", StringComparison.Ordinal));
                break;
            case "trailing comma":
                RewriteManifest(m => m.Replace("\"format_version\": 1", "\"format_version\": 1,", StringComparison.Ordinal));
                break;
            case "manifest not UTF-8":
                File.WriteAllBytes(Path.Join(_snapshot, "manifest.json"), [.. File.ReadAllBytes(Path.Join(_snapshot, "manifest.json"))[..^1], 0xFF, (byte)'}']);
                break;
            case "storage is a symlink":
                File.Move(storage, Path.Join(_data.Root, "moved.dat"));
                File.CreateSymbolicLink(storage, Path.Join(_data.Root, "moved.dat"));
                break;
            case "extra top-level file":
                File.WriteAllText(Path.Join(_snapshot, "notes.txt"), "x");
                break;
            case "empty directory not copied":
                Directory.Delete(Path.Join(schemas, "empty", "dir"));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }

    private void RewriteManifest(Func<string, string> change)
    {
        string path = Path.Join(_snapshot, "manifest.json");
        string before = File.ReadAllText(path, Encoding.UTF8);
        string after = change(before);
        Assert.NotEqual(before, after);
        File.WriteAllText(path, after, new UTF8Encoding(false));
    }

    private static void FlipByte(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }

    private static void MakeWritable(string root)
    {
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using AeroSnapshot.Fast;
using AeroSnapshot.Fast.Discovery;
using AeroSnapshot.Fast.Verification;

namespace AeroSnapshot.Cli.Tests.Reliability;

/// <summary>The files a snapshot is taken of (the data directory's, or elsewhere with --storage/--schemas/--wal).</summary>
public sealed record SnapshotSources(string DataDirectory, string Storage, string Schemas, string? Wal)
{
    public static SnapshotSources Of(DataDirectory directory)
        => new(directory.Data, directory.StoragePath, directory.SchemasPath, Path.Join(directory.Data, "wal", "wal.log"));

    public string SnapshotsDirectory => Path.Join(DataDirectory, SnapshotLayout.SnapshotsDirectoryName);
}

/// <summary>What one look at a data directory after a fault found.</summary>
/// <param name="NewSnapshots">Valid snapshots that were not there before the fault.</param>
/// <param name="Leftovers">Entries of <c>snapshots/</c> the library calls incomplete (<c>.staging-*</c>, <c>.deleting-*</c>).</param>
/// <param name="Violations">Every broken invariant, each a sentence; empty when all hold.</param>
public sealed record Observation(IReadOnlyList<string> NewSnapshots, IReadOnlyList<string> Leftovers, IReadOnlyList<string> Violations)
{
    public bool Holds => Violations.Count == 0;

    public Observation ThrowIfViolated(string context)
    {
        if (!Holds)
        {
            throw new Xunit.Sdk.XunitException($"{context}: {Violations.Count} invariant(s) broken:\n  - {string.Join("\n  - ", Violations)}");
        }

        return this;
    }
}

/// <summary>
/// The checks every reliability suite makes after every fault, through the library's own read side
/// (listing, full verification, discovery as recovery runs it):
/// <list type="bullet">
/// <item>the valid snapshots are exactly the earlier ones, or the earlier ones plus the complete new one(s);</item>
/// <item>every snapshot directory present verifies (no half-written snapshot is visible);</item>
/// <item>each earlier snapshot is intact: valid, and every file byte-for-byte as before the fault;</item>
/// <item>a new snapshot holds exactly the source's bytes;</item>
/// <item>every snapshot present is also accepted by <see cref="IndependentSnapshotOracle"/>, which
/// shares no code with the library (a new one against the source bytes);</item>
/// <item>discovery selects the newest snapshot and skips none;</item>
/// <item>nothing but snapshots and the library's own leftovers is under <c>snapshots/</c>;</item>
/// <item>the sources (storage, schemas, WAL) are unchanged;</item>
/// <item>after <c>aerosnap clean</c> (or the next complete create), no leftover remains.</item>
/// </list>
/// </summary>
public sealed class SnapshotInvariants : IDisposable
{
    private readonly SnapshotManager _manager = new();
    private readonly Dictionary<string, FileDigests> _baseline = new(StringComparer.Ordinal);
    private readonly FileDigests _sources;
    private readonly FileDigests _sourceSnapshotView;
    private readonly ExpectedContent _sourceContent;

    public SnapshotInvariants(SnapshotSources sources)
    {
        Sources = sources;
        _sources = DigestSources(sources);
        _sourceSnapshotView = SnapshotViewOf(sources);
        _sourceContent = ExpectedContent.Read(sources.Storage, sources.Schemas);
        Observation start = Observe(maxNew: int.MaxValue);
        start.ThrowIfViolated("before any fault");
        if (start.Leftovers.Count > 0)
        {
            throw new InvalidOperationException($"the data directory has leftovers before any fault: {string.Join(", ", start.Leftovers)}");
        }

        Accept(start.NewSnapshots);
    }

    public SnapshotSources Sources { get; }

    /// <summary>The snapshots that must survive every fault intact, oldest first.</summary>
    public IReadOnlyList<string> Baseline => _baseline.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Looks at the data directory; never throws for a broken invariant, lists it.</summary>
    /// <param name="maxNew">How many new snapshots the fault may have produced (one per create that ran).</param>
    public Observation Observe(int maxNew = 1)
    {
        var violations = new List<string>();
        var leftovers = new List<string>();
        var valid = new List<string>();

        FileDigests sourcesNow = DigestSources(Sources);
        if (!sourcesNow.SameAs(_sources, out string? sourceDifference))
        {
            violations.Add($"the sources changed: {sourceDifference}");
        }

        IReadOnlyList<SnapshotListing> listings;
        try
        {
            listings = _manager.ListSnapshots(Sources.DataDirectory);
        }
        catch (SnapshotException ex)
        {
            violations.Add($"snapshots/ cannot be listed: {ex.Code}: {ex.Message}");
            return new Observation([], leftovers, violations);
        }

        foreach (SnapshotListing listing in listings)
        {
            switch (listing.Kind)
            {
                case SnapshotEntryKind.Incomplete:
                    leftovers.Add(listing.Name);
                    continue;
                case SnapshotEntryKind.Other:
                    violations.Add($"unexpected entry '{listing.Name}' under snapshots/");
                    continue;
            }

            VerificationReport report;
            try
            {
                report = _manager.Verify(listing.Directory);
            }
            catch (SnapshotException ex)
            {
                violations.Add($"snapshot {listing.Name} cannot be verified: {ex.Code}: {ex.Message}");
                continue;
            }

            if (!report.IsValid)
            {
                violations.Add($"snapshot {listing.Name} is visible but does not verify: {report.Summarize()}");
                continue;
            }

            valid.Add(listing.Name);
        }

        var addedNow = valid.Where(id => !_baseline.ContainsKey(id)).ToHashSet(StringComparer.Ordinal);
        foreach (string id in valid)
        {
            // The library's verifier accepted it; so must a checker that shares none of its code.
            List<string> problems = IndependentSnapshotOracle.Judge(Path.Join(Sources.SnapshotsDirectory, id), addedNow.Contains(id) ? _sourceContent : null);
            violations.AddRange(problems.Select(p => $"the independent oracle rejects snapshot {id}: {p}"));
        }

        foreach ((string id, FileDigests before) in _baseline)
        {
            if (!valid.Contains(id))
            {
                violations.Add($"earlier snapshot {id} is gone or no longer valid");
            }
            else if (!FileDigests.Of(Path.Join(Sources.SnapshotsDirectory, id)).SameAs(before, out string? difference))
            {
                violations.Add($"earlier snapshot {id} changed: {difference}");
            }
        }

        var added = valid.Where(id => !_baseline.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        if (added.Count > maxNew)
        {
            violations.Add($"{added.Count} new snapshots ({string.Join(", ", added)}) where at most {maxNew} could have been taken");
        }

        foreach (string id in added)
        {
            if (!FileDigests.Of(Path.Join(Sources.SnapshotsDirectory, id)).Without("manifest.json").SameAs(_sourceSnapshotView, out string? difference))
            {
                violations.Add($"new snapshot {id} does not hold the source's bytes: {difference}");
            }
        }

        CheckDiscovery(valid, violations);
        return new Observation(added, leftovers, violations);
    }

    /// <summary><see cref="Observe"/>, failing the test with every broken invariant.</summary>
    public Observation Check(string context, int maxNew = 1) => Observe(maxNew).ThrowIfViolated(context);

    /// <summary>Runs <c>aerosnap clean</c> (no fault), then checks that no leftover remains and that nothing else changed.</summary>
    public Observation CleanWithTool(string context, int maxNew = 1)
    {
        CliResult clean = CliProcess.Run("clean", Sources.DataDirectory, "--json");
        if (clean.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"{context}: aerosnap clean failed: {clean}");
        }

        Observation after = Observe(maxNew);
        if (after.Leftovers.Count > 0)
        {
            throw new Xunit.Sdk.XunitException($"{context}: leftovers remain after aerosnap clean: {string.Join(", ", after.Leftovers)}\n{clean}");
        }

        return after.ThrowIfViolated(context + ", after aerosnap clean");
    }

    /// <summary>Makes these snapshots part of what must survive every later fault.</summary>
    public void Accept(IEnumerable<string> ids)
    {
        foreach (string id in ids)
        {
            _baseline[id] = FileDigests.Of(Path.Join(Sources.SnapshotsDirectory, id));
        }
    }

    /// <summary>Deletes snapshots a fault produced (not earlier ones), so the next trial starts from the same state.</summary>
    public void Discard(IEnumerable<string> ids)
    {
        foreach (string id in ids)
        {
            if (_baseline.ContainsKey(id))
            {
                throw new InvalidOperationException($"{id} is an earlier snapshot; it is never discarded");
            }

            Directory.Delete(Path.Join(Sources.SnapshotsDirectory, id), recursive: true);
        }
    }

    public void Dispose() => _manager.Dispose();

    private void CheckDiscovery(List<string> valid, List<string> violations)
    {
        try
        {
            DiscoveryResult discovery = _manager.DiscoverNewestValid(Sources.DataDirectory);
            string? newest = valid.Max(StringComparer.Ordinal);
            string? selected = discovery.SelectedId?.ToString();
            if (selected != newest)
            {
                violations.Add($"discovery selected {selected ?? "nothing"} instead of the newest valid snapshot {newest ?? "(none)"}");
            }

            foreach (SkippedSnapshot skipped in discovery.Skipped)
            {
                violations.Add($"discovery skipped {skipped.Id}: {skipped.Code}");
            }
        }
        catch (SnapshotException ex)
        {
            violations.Add($"discovery failed: {ex.Code}: {ex.Message}");
        }
    }

    private static FileDigests DigestSources(SnapshotSources sources)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["storage"] = FileDigests.Sha256(sources.Storage),
        };
        if (sources.Wal is { } wal && File.Exists(wal))
        {
            files["wal"] = FileDigests.Sha256(wal);
        }

        foreach ((string path, string digest) in FileDigests.Of(sources.Schemas).Files)
        {
            files["schemas/" + path] = digest;
        }

        return new FileDigests(files);
    }

    /// <summary>What a snapshot of the sources must hold besides its manifest: storage.dat and schemas/**.</summary>
    private static FileDigests SnapshotViewOf(SnapshotSources sources)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [SnapshotLayout.StorageFileName] = FileDigests.Sha256(sources.Storage),
        };
        foreach ((string path, string digest) in FileDigests.Of(sources.Schemas).Files)
        {
            files["schemas/" + path] = digest;
        }

        return new FileDigests(files);
    }
}

/// <summary>SHA-256 of every regular file under a directory, by relative path with '/'.</summary>
public sealed class FileDigests(SortedDictionary<string, string> files)
{
    public IReadOnlyDictionary<string, string> Files => files;

    public static FileDigests Of(string root)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(root))
        {
            foreach (string path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(root, path).Replace('\\', '/')] = Sha256(path);
            }
        }

        return new FileDigests(files);
    }

    public static string Sha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public FileDigests Without(string relativePath)
    {
        var copy = new SortedDictionary<string, string>(files, StringComparer.Ordinal);
        copy.Remove(relativePath);
        return new FileDigests(copy);
    }

    public bool SameAs(FileDigests other, out string? difference)
    {
        var missing = other.Files.Keys.Where(k => !files.ContainsKey(k)).ToList();
        var extra = files.Keys.Where(k => !other.Files.ContainsKey(k)).ToList();
        var changed = files.Keys.Where(k => other.Files.TryGetValue(k, out string? d) && d != files[k]).ToList();
        if (missing.Count + extra.Count + changed.Count == 0)
        {
            difference = null;
            return true;
        }

        difference = $"missing [{string.Join(", ", missing)}], extra [{string.Join(", ", extra)}], changed [{string.Join(", ", changed)}]";
        return false;
    }
}

/// <summary>Reads the tool's <c>--json</c> output.</summary>
public static class CliJson
{
    /// <summary>The <c>code</c>, <c>details.errno</c>, <c>details.step</c> and <c>details.path</c> of an error document; nulls when absent or not JSON.</summary>
    public static (string? Code, int? Errno, string? Step, string? Path, string? Message) Error(CliResult result)
    {
        try
        {
            using var json = JsonDocument.Parse(result.Stdout);
            JsonElement root = json.RootElement;
            string? code = root.TryGetProperty("code", out JsonElement c) ? c.GetString() : null;
            string? message = root.TryGetProperty("message", out JsonElement m) ? m.GetString() : null;
            int? errno = null;
            string? step = null;
            string? path = null;
            if (root.TryGetProperty("details", out JsonElement details))
            {
                errno = details.TryGetProperty("errno", out JsonElement e) ? e.GetInt32() : null;
                step = details.TryGetProperty("step", out JsonElement s) ? s.GetString() : null;
                path = details.TryGetProperty("path", out JsonElement p) ? p.GetString() : null;
            }

            return (code, errno, step, path, message);
        }
        catch (JsonException)
        {
            return (null, null, null, null, null);
        }
    }

    /// <summary>The <c>snapshot_id</c>, <c>files</c> and <c>bytes</c> of a successful create (null sizes: not read back, see <c>size_error</c>).</summary>
    public static (string? Id, int? Files, long? Bytes) Created(CliResult result)
    {
        using var json = JsonDocument.Parse(result.Stdout);
        JsonElement root = json.RootElement;
        JsonElement files = root.GetProperty("files");
        JsonElement bytes = root.GetProperty("bytes");
        return (
            root.GetProperty("snapshot_id").GetString(),
            files.ValueKind == JsonValueKind.Null ? null : files.GetInt32(),
            bytes.ValueKind == JsonValueKind.Null ? null : bytes.GetInt64());
    }
}

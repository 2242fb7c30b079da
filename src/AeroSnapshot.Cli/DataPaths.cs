using System.CommandLine;
using AeroSnapshot.Fast;

namespace AeroSnapshot.Cli;

/// <summary>
/// The files of an AeroDB data directory: <c>storage.dat</c>, <c>metadata/schemas</c> and
/// <c>wal/wal.log</c> by default, each overridable on the command line. All paths are absolute,
/// so every message names a file unambiguously.
/// </summary>
internal sealed record DataPaths(string DataDirectory, string Storage, string Schemas, string Wal, bool WalGiven)
{
    public static DataPaths Defaults(string dataDirectory)
    {
        string data = Path.GetFullPath(dataDirectory);
        return new DataPaths(
            data,
            Path.Join(data, SnapshotLayout.StorageFileName),
            Path.Join(data, SnapshotLayout.DataSchemasPath),
            Path.Join(data, SnapshotLayout.WalPath),
            WalGiven: false);
    }

    /// <summary>The options that override the defaults, shared by commands that read a data directory's sources.</summary>
    internal sealed class Overrides
    {
        public Option<string> Storage { get; } = new("--storage")
        {
            Description = "The storage file [default: <data-dir>/storage.dat]",
            HelpName = "path",
        };

        public Option<string> Schemas { get; } = new("--schemas")
        {
            Description = "The schema tree [default: <data-dir>/metadata/schemas]",
            HelpName = "path",
        };

        public Option<string> Wal { get; } = new("--wal")
        {
            Description = "The WAL, fsynced before copying [default: <data-dir>/wal/wal.log, skipped when it does not exist; a --wal that does not exist is an error]",
            HelpName = "path",
        };

        public void AddTo(Command command)
        {
            command.Add(Storage);
            command.Add(Schemas);
            command.Add(Wal);
        }

        public DataPaths Resolve(ParseResult parse, string dataDirectory)
        {
            DataPaths paths = Defaults(dataDirectory);
            string? wal = parse.GetValue(Wal);
            return paths with
            {
                Storage = parse.GetValue(Storage) is { } storage ? Path.GetFullPath(storage) : paths.Storage,
                Schemas = parse.GetValue(Schemas) is { } schemas ? Path.GetFullPath(schemas) : paths.Schemas,
                Wal = wal is not null ? Path.GetFullPath(wal) : paths.Wal,
                WalGiven = wal is not null,
            };
        }
    }
}

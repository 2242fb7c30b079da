using System.CommandLine;
using AeroSnapshot.Fast;

namespace AeroSnapshot.Cli;

/// <summary>
/// The files of an AeroDB data directory, from the library's one description of its layout
/// (<see cref="DataDirectoryLayout"/>): the storage file where the directory keeps it
/// (<c>storage.dat</c>, or <c>data/storage.dat</c> in a directory AeroDB restored),
/// <c>metadata/schemas</c> and <c>wal/wal.log</c>, each overridable on the command line. All paths
/// are absolute, so every message names a file unambiguously.
/// </summary>
internal sealed record DataPaths(string DataDirectory, string Storage, string Schemas, string Wal, bool WalGiven)
{
    public static DataPaths Defaults(string dataDirectory) => From(DataDirectoryLayout.Detect(dataDirectory));

    private static DataPaths From(DataDirectoryLayout layout)
        => new(layout.DataDirectory, layout.StorageFilePath, layout.SchemaDirectory, layout.WalPath, WalGiven: false);

    /// <summary>
    /// <c>--storage-location top|data</c>: where the storage file is (or, for a restore, goes),
    /// instead of where the directory itself says. Shared by every command that touches the storage file.
    /// </summary>
    internal static Option<string> StorageLocationOption(string purpose) => new Option<string>("--storage-location")
    {
        Description = $"{purpose}: top = <data-dir>/storage.dat, data = <data-dir>/data/storage.dat (where AeroDB's own restore puts it) "
            + "[default: where the data directory keeps it: data when it has data/storage.dat or a data/ directory and no storage.dat, else top]",
        HelpName = "top|data",
    }.AcceptOnlyFromAmong("top", "data");

    /// <summary>The location <c>--storage-location</c> names, or null to find it in the directory.</summary>
    internal static StorageFileLocation? StorageLocation(ParseResult parse, Option<string> option) => parse.GetValue(option) switch
    {
        "top" => StorageFileLocation.TopLevel,
        "data" => StorageFileLocation.DataSubdirectory,
        _ => null,
    };

    /// <summary>The options that override the defaults, shared by commands that read a data directory's sources.</summary>
    internal sealed class Overrides
    {
        public Option<string> Storage { get; } = new("--storage")
        {
            Description = "The storage file [default: <data-dir>/storage.dat, or <data-dir>/data/storage.dat in a directory laid out as AeroDB's restore leaves it]",
            HelpName = "path",
        };

        public Option<string> StorageLocation { get; } = StorageLocationOption("Where the storage file is");

        public Option<string> Schemas { get; } = new("--schemas")
        {
            Description = "The schema tree [default: <data-dir>/metadata/schemas]",
            HelpName = "path",
        };

        public Option<string> Wal { get; } = new("--wal")
        {
            Description = "The WAL file, fsynced before copying [default: <data-dir>/wal/wal.log, skipped when it does not exist; a --wal that does not exist, or anything there but a regular file, is an error]",
            HelpName = "path",
        };

        public void AddTo(Command command)
        {
            command.Add(Storage);
            command.Add(StorageLocation);
            command.Add(Schemas);
            command.Add(Wal);
            command.Validators.Add(result =>
            {
                if (result.GetValue(Storage) is not null && result.GetValue(StorageLocation) is not null)
                {
                    result.AddError("--storage names the storage file; --storage-location only says which of the two usual places it is in. Give one of them.");
                }
            });
        }

        public DataPaths Resolve(ParseResult parse, string dataDirectory)
        {
            string? storage = parse.GetValue(Storage);

            // A storage file given by path needs no look at the directory (nor fails on one holding two).
            DataPaths paths = From(storage is not null
                ? DataDirectoryLayout.For(dataDirectory, StorageFileLocation.TopLevel)
                : DataDirectoryLayout.Resolve(dataDirectory, DataPaths.StorageLocation(parse, StorageLocation)));
            string? wal = parse.GetValue(Wal);
            return paths with
            {
                Storage = storage is not null ? Path.GetFullPath(storage) : paths.Storage,
                Schemas = parse.GetValue(Schemas) is { } schemas ? Path.GetFullPath(schemas) : paths.Schemas,
                Wal = wal is not null ? Path.GetFullPath(wal) : paths.Wal,
                WalGiven = wal is not null,
            };
        }
    }
}

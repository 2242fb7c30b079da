namespace AeroSnapshot.Fast.Tests.Support;

/// <summary>
/// One thing a database (or a misbehaving one) does to its data directory between two steps of a
/// snapshot: between a pre-copy and the pause, or between the capture and the completion. The
/// property tests generate sequences of them; each is applied with the case's seeded random.
/// </summary>
internal abstract record DataDirectoryChange
{
    public abstract void Apply(TestDataDirectory data, Random random);

    /// <summary>A schema file's name: top-level for directory 0, else one level down.</summary>
    public static string SchemaName(int dir, int file) => dir == 0 ? $"s{file}.json" : $"d{dir}/s{file}.json";

    public static byte[] Bytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Appends to the storage file (what AeroDB does).</summary>
    public sealed record Append(int Length) : DataDirectoryChange
    {
        public override void Apply(TestDataDirectory data, Random random)
        {
            using FileStream stream = new(data.StoragePath, FileMode.Append);
            stream.Write(Bytes(random, Length));
        }
    }

    /// <summary>Writes over the storage file in place, at a fraction of its length.</summary>
    public sealed record Overwrite(double At, int Length) : DataDirectoryChange
    {
        public override void Apply(TestDataDirectory data, Random random)
        {
            using FileStream stream = new(data.StoragePath, FileMode.Open);
            if (stream.Length == 0)
            {
                return;
            }

            stream.Position = (long)(At * (stream.Length - 1));
            stream.Write(Bytes(random, (int)Math.Min(Length, stream.Length - stream.Position)));
        }
    }

    /// <summary>Cuts the storage file to a fraction of its length.</summary>
    public sealed record Truncate(double Fraction) : DataDirectoryChange
    {
        public override void Apply(TestDataDirectory data, Random random)
        {
            using FileStream stream = new(data.StoragePath, FileMode.Open);
            stream.SetLength((long)(Fraction * stream.Length));
        }
    }

    /// <summary>Replaces the storage file by a rename, with the same or new content.</summary>
    public sealed record Replace(bool SameContent) : DataDirectoryChange
    {
        public override void Apply(TestDataDirectory data, Random random)
        {
            byte[] content = SameContent ? File.ReadAllBytes(data.StoragePath) : Bytes(random, random.Next(0, 300_000));
            string temporary = data.StoragePath + ".new";
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, data.StoragePath, overwrite: true);
        }
    }

    /// <summary>Writes (creates or rewrites) a schema file.</summary>
    public sealed record WriteSchema(int Dir, int File, int Length) : DataDirectoryChange
    {
        public override void Apply(TestDataDirectory data, Random random) => data.WriteSchema(SchemaName(Dir, File), Bytes(random, Length));
    }

    /// <summary>Deletes a schema file if it exists.</summary>
    public sealed record DeleteSchema(int Dir, int File) : DataDirectoryChange
    {
        public override void Apply(TestDataDirectory data, Random random)
        {
            string path = Path.Join(data.SchemaDirectory, SchemaName(Dir, File));
            if (System.IO.File.Exists(path))
            {
                System.IO.File.Delete(path);
            }
        }
    }

    /// <summary>Deletes a schema directory and all it holds, if it exists.</summary>
    public sealed record DeleteSchemaDirectory(int Dir) : DataDirectoryChange
    {
        public override void Apply(TestDataDirectory data, Random random)
        {
            string path = Path.Join(data.SchemaDirectory, $"d{Dir}");
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }
}

using System.CommandLine;

namespace AeroSnapshot.Cli;

/// <summary>
/// "Did you mean": for each word the parser could not place, the command or option names closest
/// to it by edit distance (insertions, deletions, substitutions and swaps of two neighbours), when
/// close enough to be a typo: at most one edit per three characters, at least one.
/// </summary>
internal static class Suggestions
{
    public static IReadOnlyList<string> For(ParseResult parse)
    {
        Command command = parse.CommandResult.Command;
        string[] options =
        [
            .. command.Options.Concat(parse.RootCommandResult.Command.Options.Where(static o => o.Recursive))
                .Where(static o => !o.Hidden)
                .SelectMany(static o => o.Aliases.Prepend(o.Name))
                .Where(static name => name.StartsWith('-')),
        ];
        string[] commands = [.. command.Subcommands.Where(static c => !c.Hidden).Select(static c => c.Name)];
        var suggestions = new List<string>();
        foreach (string token in parse.UnmatchedTokens)
        {
            string word = token.StartsWith('-') && token.IndexOf('=', StringComparison.Ordinal) is > 0 and int equals ? token[..equals] : token;
            foreach (string suggestion in Closest(word, word.StartsWith('-') ? options : commands))
            {
                if (!suggestions.Contains(suggestion))
                {
                    suggestions.Add(suggestion);
                }
            }
        }

        return suggestions;
    }

    /// <summary>The candidates nearest to <paramref name="word"/>, if near enough to be a typo of it.</summary>
    public static IEnumerable<string> Closest(string word, IEnumerable<string> candidates)
    {
        int limit = Math.Max(1, word.TrimStart('-').Length / 3);
        var scored = candidates.Distinct().Select(c => (Candidate: c, Distance: Distance(word, c))).Where(s => s.Distance <= limit).ToList();
        if (scored.Count == 0)
        {
            return [];
        }

        int best = scored.Min(static s => s.Distance);
        return scored.Where(s => s.Distance == best).Select(static s => s.Candidate).Order(StringComparer.Ordinal);
    }

    /// <summary>The optimal string alignment distance: edits to turn <paramref name="a"/> into <paramref name="b"/>, a swap of neighbours counting one.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}

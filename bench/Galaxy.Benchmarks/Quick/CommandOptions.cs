using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Galaxy.Benchmarks.Quick;

/// <summary>The options the <c>kernels</c> and <c>ops</c> commands share, with their parsing and checks.</summary>
internal static class CommandOptions
{
    public static Option<bool> Quick(string description) => new("--quick") { Description = description };

    public static Option<string?> Json()
    {
        var json = new Option<string?>("--json")
        {
            Description = "Write the results to this file as a JSON array.",
            HelpName = "path",
        };
        json.Validators.Add(ValidateJsonPath);
        return json;
    }

    public static Option<int[]> Threads(string description) => new("--threads")
    {
        Description = description,
        HelpName = "1,2",
        CustomParser = ParseThreads,
        DefaultValueFactory = _ => [1, 2],
    };

    /// <summary>The comma-separated items of an option's tokens: <c>--x 1,2 --x 3</c> gives 1, 2, 3.</summary>
    public static IEnumerable<string> Items(ArgumentResult result) =>
        result.Tokens.SelectMany(token => token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static int[] ParseThreads(ArgumentResult result)
    {
        var counts = new List<int>();
        foreach (var item in Items(result))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count > 256)
            {
                result.AddError($"'{item}' is not a thread count (a whole number from 1 to 256).");
                return [];
            }

            if (!counts.Contains(count))
            {
                counts.Add(count);
            }
        }

        return [.. counts];
    }

    private static void ValidateJsonPath(OptionResult result)
    {
        var path = result.GetValueOrDefault<string?>();
        if (string.IsNullOrWhiteSpace(path))
        {
            result.AddError("--json needs a file path.");
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            result.AddError($"Cannot write '{path}': the folder '{directory}' does not exist.");
        }
    }
}

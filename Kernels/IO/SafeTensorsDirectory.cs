namespace Galaxy.Kernels.IO;

/// <summary>
/// Finds the weights in a Hugging Face model directory: <c>model.safetensors</c> if present, else the shard index
/// <c>model.safetensors.index.json</c>, else the directory's only <c>*.safetensors</c> file.
/// </summary>
public static class SafeTensorsDirectory
{
    /// <summary>The single-file name Hugging Face saves.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The shard index Hugging Face saves for large checkpoints.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>Opens the weights of the model in <paramref name="directory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">No such directory.</exception>
    /// <exception cref="FileNotFoundException">No weights found, or several <c>*.safetensors</c> files and no index; the message lists what was looked for.</exception>
    /// <exception cref="InvalidDataException">The weight file or index is malformed.</exception>
    public static ITensorSource Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var fullPath = Path.GetFullPath(directory);
        if (!Directory.Exists(fullPath))
        {
            throw new DirectoryNotFoundException($"Model directory '{fullPath}' does not exist.");
        }

        var single = Path.Combine(fullPath, SingleFileName);
        if (File.Exists(single))
        {
            return SafeTensorsFile.Open(single);
        }

        var index = Path.Combine(fullPath, IndexFileName);
        if (File.Exists(index))
        {
            return ShardedSafeTensors.Open(index);
        }

        var candidates = Directory.EnumerateFiles(fullPath, "*.safetensors")
            .Where(file => file.EndsWith(".safetensors", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (candidates.Count == 1)
        {
            return SafeTensorsFile.Open(candidates[0]);
        }

        var lookedFor = $"looked for '{SingleFileName}', then '{IndexFileName}', then a single '*.safetensors' file";
        throw new FileNotFoundException(
            candidates.Count == 0
                ? $"No weights in '{fullPath}': {lookedFor}, and found none."
                : $"No weights in '{fullPath}': {lookedFor}, but found {candidates.Count} ({string.Join(", ", candidates.Select(Path.GetFileName))}) and no index to say how they fit together.",
            single);
    }
}

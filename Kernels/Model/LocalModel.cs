using Galaxy.Kernels.IO;

namespace Galaxy.Kernels.Model;

/// <summary>
/// A Hugging Face model directory loaded for one device: <c>config.json</c>, the weights
/// (<c>model.safetensors</c> or shards), and the tokenizer the family uses.
/// </summary>
public sealed class LocalModel
{
    private LocalModel(string directory, ModelConfig config, TransformerWeights weights, ModelTokenizer tokenizer)
    {
        Directory = directory;
        Config = config;
        Weights = weights;
        Tokenizer = tokenizer;
    }

    public string Directory { get; }

    public ModelConfig Config { get; }

    public TransformerWeights Weights { get; }

    public ModelTokenizer Tokenizer { get; }

    /// <summary>Loads <paramref name="directory"/>, each layer whole or as <paramref name="slice"/> gives it.</summary>
    /// <exception cref="FileNotFoundException">The directory lacks config.json, weights or (for encoders) vocab.txt.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the weights contradict the config.</exception>
    public static LocalModel Load(string directory, Func<int, LayerSlice>? slice = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Model directory '{directory}' does not exist.");
        }

        var config = ModelConfig.Load(Path.Combine(directory, "config.json"));
        var tokenizer = ModelTokenizer.ForModel(directory, config);
        using var source = SafeTensorsDirectory.Open(directory);
        var weights = TransformerWeights.Load(config, source, slice);
        return new LocalModel(directory, config, weights, tokenizer);
    }
}

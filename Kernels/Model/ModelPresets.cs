namespace Galaxy.Kernels.Model;

/// <summary>The shapes of the models the Galaxy paper evaluates, for synthetic checkpoints.</summary>
public static class ModelPresets
{
    private static readonly Dictionary<string, ModelConfig> Presets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["distilbert"] = new ModelConfig
        {
            Architecture = ModelArchitecture.DistilBert, HiddenSize = 768, Heads = 12, Layers = 6, IntermediateSize = 3072,
            VocabularySize = 30522, MaxPositions = 512, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
        },
        ["bert-base"] = new ModelConfig
        {
            Architecture = ModelArchitecture.Bert, HiddenSize = 768, Heads = 12, Layers = 12, IntermediateSize = 3072,
            VocabularySize = 30522, MaxPositions = 512, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
        },
        ["bert-large"] = new ModelConfig
        {
            Architecture = ModelArchitecture.Bert, HiddenSize = 1024, Heads = 16, Layers = 24, IntermediateSize = 4096,
            VocabularySize = 30522, MaxPositions = 512, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
        },
        ["gpt2"] = new ModelConfig
        {
            Architecture = ModelArchitecture.Gpt2, HiddenSize = 768, Heads = 12, Layers = 12, IntermediateSize = 3072,
            VocabularySize = 50257, MaxPositions = 1024, LayerNormEpsilon = 1e-5f, Activation = Activation.GeluTanh,
        },
        ["gpt2-large"] = new ModelConfig
        {
            Architecture = ModelArchitecture.Gpt2, HiddenSize = 1280, Heads = 20, Layers = 36, IntermediateSize = 5120,
            VocabularySize = 50257, MaxPositions = 1024, LayerNormEpsilon = 1e-5f, Activation = Activation.GeluTanh,
        },
        ["opt-125m"] = new ModelConfig
        {
            Architecture = ModelArchitecture.Opt, HiddenSize = 768, Heads = 12, Layers = 12, IntermediateSize = 3072,
            VocabularySize = 50272, MaxPositions = 2048, LayerNormEpsilon = 1e-5f, Activation = Activation.Relu,
        },
        ["opt-large"] = new ModelConfig
        {
            // OPT-1.3B: the paper's OPT-L.
            Architecture = ModelArchitecture.Opt, HiddenSize = 2048, Heads = 32, Layers = 24, IntermediateSize = 8192,
            VocabularySize = 50272, MaxPositions = 2048, LayerNormEpsilon = 1e-5f, Activation = Activation.Relu,
        },
    };

    /// <summary>Preset names, e.g. <c>bert-large</c>.</summary>
    public static IReadOnlyCollection<string> Names => Presets.Keys;

    /// <summary>The preset called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such preset; the message lists the known ones.</exception>
    public static ModelConfig Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Presets.TryGetValue(name, out var config)
            ? config
            : throw new ArgumentException($"Unknown architecture '{name}'; known: {string.Join(", ", Presets.Keys)}.", nameof(name));
    }
}

using Galaxy.Kernels.Model;

namespace Galaxy.Kernels.Tests.Model;

/// <summary>Small configs of every family, big enough to cross GEMM tiles (H = 48, 4 heads of 12, F = 80).</summary>
internal static class TinyModels
{
    public static ModelConfig Of(ModelArchitecture architecture) => architecture switch
    {
        ModelArchitecture.Bert => new ModelConfig
        {
            Architecture = architecture, HiddenSize = 48, Heads = 4, Layers = 2, IntermediateSize = 80,
            VocabularySize = 60, MaxPositions = 40, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
        },
        ModelArchitecture.DistilBert => new ModelConfig
        {
            Architecture = architecture, HiddenSize = 48, Heads = 4, Layers = 2, IntermediateSize = 80,
            VocabularySize = 60, MaxPositions = 40, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
        },
        ModelArchitecture.Gpt2 => new ModelConfig
        {
            Architecture = architecture, HiddenSize = 48, Heads = 4, Layers = 2, IntermediateSize = 80,
            VocabularySize = 60, MaxPositions = 40, LayerNormEpsilon = 1e-5f, Activation = Activation.GeluTanh,
        },
        _ => new ModelConfig
        {
            Architecture = architecture, HiddenSize = 48, Heads = 4, Layers = 2, IntermediateSize = 80,
            VocabularySize = 60, MaxPositions = 40, LayerNormEpsilon = 1e-5f, Activation = Activation.Relu,
        },
    };

    public static int[] Tokens(int count, int seed, int vocabulary = 60)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(vocabulary)).ToArray();
    }
}

using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Grains.Tests;

/// <summary>
/// A seeded BERT (post-LN encoder) and a seeded GPT-2 (pre-LN causal decoder) through <see cref="IInferenceGrain"/> on
/// 1, 2 and 3 device silos equal the same checkpoint on one device. Their heads (5) and MLP columns (200) do not divide
/// by 2 or 3, so every split is uneven.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class SyntheticFamiliesTests(ClusterFixture fixture) : IDisposable
{
    // Splitting sums across devices only reorders fp32 additions.
    private const double Tolerance = 1e-5;

    private readonly KernelThreads _threads = new(1);

    public static TheoryData<string, int> Cases() => new()
    {
        { "synthetic-bert", 1 }, { "synthetic-bert", 2 }, { "synthetic-bert", 3 },
        { "synthetic-gpt2", 1 }, { "synthetic-gpt2", 2 }, { "synthetic-gpt2", 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EmbedOn_NDevices_EqualsTheSingleDeviceModel(string modelId, int devices)
    {
        var model = Prepare(modelId);
        const string text = "Several small devices answer one request together, each with its slice of every layer.";
        var ids = model.Tokenizer.Encode(text, model.Config.MaxPositions);

        var result = await fixture.Client.GetGrain<IInferenceGrain>(modelId).EmbedOnAsync([text], devices);

        Assert.Equal(devices, result.Texts[0].Devices.Count);
        Assert.Equal(ids.Length, result.Texts[0].Devices.Sum(d => d.Share.Rows));
        Assert.Equal(model.Config.Heads, result.Texts[0].Devices.Sum(d => d.Share.Heads));
        var expected = Encoder.MeanPool(Reference(model, ids), default, 1, model.Config.HiddenSize);
        AssertClose(expected, result.Embedding(0), $"{modelId} on {devices} devices");
    }

    [Theory]
    [InlineData("synthetic-bert", 1)]
    [InlineData("synthetic-bert", 77)]
    [InlineData("synthetic-gpt2", 1)]
    [InlineData("synthetic-gpt2", 77)]
    public async Task Infer_AllDevices_HiddenStatesEqualTheSingleDeviceModel(string modelId, int length)
    {
        var model = Prepare(modelId);
        var random = new Random(length);
        int[] ids = [.. Enumerable.Range(0, length).Select(_ => random.Next(model.Config.VocabularySize))];

        var result = await fixture.Client.GetGrain<IInferenceGrain>(modelId).InferAsync(ids);

        Assert.Equal((length, model.Config.HiddenSize), (result.Tokens, result.HiddenSize));
        AssertClose(Reference(model, ids), result.Hidden.ToArray(), $"{modelId}, {length} tokens");
    }

    public void Dispose() => _threads.Dispose();

    private float[] Reference(LocalModel model, int[] ids) => model.Config.IsDecoder
        ? new Decoder(model.Weights, _threads).StartSession().Append(ids)
        : new Encoder(model.Weights, _threads).Forward(ids, default, default);

    /// <summary>Writes the model into the silos' models directory once (config.json last) and loads it whole, as one device would.</summary>
    private LocalModel Prepare(string modelId)
    {
        var decoder = modelId.EndsWith("gpt2", StringComparison.Ordinal);
        var config = decoder
            ? new ModelConfig
            {
                Architecture = ModelArchitecture.Gpt2, HiddenSize = 40, Heads = 5, Layers = 3, IntermediateSize = 200,
                VocabularySize = 50257, MaxPositions = 128, LayerNormEpsilon = 1e-5f, Activation = Activation.GeluTanh,
            }
            : new ModelConfig
            {
                Architecture = ModelArchitecture.Bert, HiddenSize = 40, Heads = 5, Layers = 3, IntermediateSize = 200,
                VocabularySize = 30522, MaxPositions = 128, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
            };
        var directory = SyntheticModelFiles.WriteOnce(
            Path.Combine(ClusterFixture.ModelsDirectory, modelId), config, seed: decoder ? 2 : 1, vocabularyFrom: decoder ? null : fixture.MiniLmDirectory);
        return LocalModel.Load(directory);
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        var worst = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        Assert.True(worst <= Tolerance * scale, $"{what}: max |Δ| = {worst:E2} (tolerance {Tolerance * scale:E2})");
    }
}

namespace Galaxy.Grains.Tests;

/// <summary>MiniLM through <see cref="IInferenceGrain"/>, split over the cluster's device silos, equals the single-device model.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class DistributedInferenceTests(ClusterFixture fixture) : IDisposable
{
    // Splitting sums across devices only reorders fp32 additions.
    private const double Tolerance = 1e-5;

    private static readonly string[] Sentences =
    [
        "Galaxy splits one inference across several devices on a local network.",
        "The quick brown fox jumps over the lazy dog.",
        "Edge devices work together so that none of them has to hold the whole model, and together they answer sooner.",
    ];

    private readonly SingleDeviceReference _reference = new(fixture.MiniLmDirectory);

    private IInferenceGrain MiniLm => fixture.Client.GetGrain<IInferenceGrain>("minilm");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EmbedOn_NDevices_EqualsSingleDeviceMeanPool(int devices)
    {
        var result = await MiniLm.EmbedOnAsync(Sentences, devices);

        Assert.Equal(384, result.Dimension);
        for (var i = 0; i < Sentences.Length; i++)
        {
            AssertClose(_reference.Embed(Sentences[i]), result.Embedding(i), $"text {i} on {devices} devices");
            Assert.Equal(ClusterFixture.Devices.Take(devices), result.Texts[i].Devices.Select(d => d.Device));
            Assert.All(result.Texts[i].Devices, d => Assert.Equal(6, d.Layers.Count));
        }
    }

    [Fact]
    public async Task Embed_AllDevices_UsesEveryDeviceAndEqualsSingleDevice()
    {
        var result = await MiniLm.EmbedAsync([Sentences[2]]);

        AssertClose(_reference.Embed(Sentences[2]), result.Embedding(0), "all devices");
        Assert.Equal(ClusterFixture.Devices, result.Texts[0].Devices.Select(d => d.Device));
        Assert.Equal(result.Texts[0].Tokens, result.Texts[0].Devices.Sum(d => d.Share.Rows));
    }

    [Fact]
    public async Task Infer_TokenIds_HiddenStateEqualsSingleDevice()
    {
        var ids = _reference.Tokenizer.Encode(Sentences[0]);

        var result = await MiniLm.InferAsync(ids);

        Assert.Equal((ids.Length, 384), (result.Tokens, result.HiddenSize));
        AssertClose(_reference.Hidden(ids), result.Hidden.ToArray(), "hidden state", relative: true);
    }

    [Fact]
    public async Task Embed_TwoConcurrentRequests_BothCorrect()
    {
        var first = MiniLm.EmbedAsync([Sentences[0], Sentences[1]]);
        var second = MiniLm.EmbedAsync([Sentences[2], Sentences[1]]);
        var results = await Task.WhenAll(first, second);

        AssertClose(_reference.Embed(Sentences[0]), results[0].Embedding(0), "first request, text 0");
        AssertClose(_reference.Embed(Sentences[1]), results[0].Embedding(1), "first request, text 1");
        AssertClose(_reference.Embed(Sentences[2]), results[1].Embedding(0), "second request, text 0");
        AssertClose(_reference.Embed(Sentences[1]), results[1].Embedding(1), "second request, text 1");
    }

    [Fact]
    public async Task Embed_EmptyText_ClearErrorAndNextRequestWorks()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => MiniLm.EmbedAsync(["fine", "  "]));
        Assert.Contains("Text 1 is empty", error.Message, StringComparison.Ordinal);

        var result = await MiniLm.EmbedAsync([Sentences[1]]);
        AssertClose(_reference.Embed(Sentences[1]), result.Embedding(0), "after the bad request");
    }

    [Fact]
    public async Task Embed_UnknownModel_ClearErrorAndNextRequestWorks()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Client.GetGrain<IInferenceGrain>("no-such-model").EmbedAsync(["hello"]));
        Assert.Contains("Unknown model 'no-such-model'", error.Message, StringComparison.Ordinal);

        var result = await MiniLm.EmbedAsync([Sentences[0]]);
        AssertClose(_reference.Embed(Sentences[0]), result.Embedding(0), "after the bad request");
    }

    [Theory]
    [InlineData(new[] { 101, 30522, 102 }, "outside model 'minilm''s vocabulary")]
    [InlineData(new[] { 101, -1, 102 }, "outside model 'minilm''s vocabulary")]
    [InlineData(new int[0], "at least one token id")]
    public async Task Infer_BadTokenIds_ClearError(int[] ids, string expected)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => MiniLm.InferAsync(ids));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_TooManyTokens_ClearError()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => MiniLm.InferAsync([.. Enumerable.Repeat(1000, 513)]));

        Assert.Contains("at most 512", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _reference.Dispose();

    private static void AssertClose(float[] expected, float[] actual, string what, bool relative = false)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = relative ? Math.Max(1.0, expected.Max(v => Math.Abs((double)v))) : 1.0;
        var worst = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        Assert.True(worst <= Tolerance * scale, $"{what}: max |Δ| = {worst:E2} (tolerance {Tolerance * scale:E2})");
    }
}

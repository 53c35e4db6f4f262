using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Tests.Model;

public sealed class DecoderTests : IDisposable
{
    // fp32 forward vs a double-precision oracle through 2 layers of width 48: errors are ~1e-6.
    private const double OracleTolerance = 2e-5;

    private readonly KernelThreads _threads = new(2);

    [Theory]
    [InlineData(ModelArchitecture.Gpt2)]
    [InlineData(ModelArchitecture.Opt)]
    public void Append_WholeSequence_MatchesNaiveReference(ModelArchitecture architecture)
    {
        var config = TinyModels.Of(architecture);
        var source = InMemoryTensorSource.Synthetic(config, seed: 1);
        var decoder = new Decoder(TransformerWeights.Load(config, source), _threads);
        var ids = TinyModels.Tokens(23, seed: 2);

        var hidden = decoder.StartSession().Append(ids);

        var expected = ReferenceTransformer.Decoder(config, source, ids);
        AssertClose(expected, hidden, config.HiddenSize, OracleTolerance);
    }

    [Theory]
    [InlineData(ModelArchitecture.Gpt2)]
    [InlineData(ModelArchitecture.Opt)]
    public void Append_OneTokenAtATime_EqualsFullRecompute(ModelArchitecture architecture)
    {
        var config = TinyModels.Of(architecture);
        var decoder = new Decoder(TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, seed: 3)), _threads);
        var ids = TinyModels.Tokens(17, seed: 4);
        var full = decoder.StartSession().Append(ids);

        var session = decoder.StartSession();
        var incremental = new List<float>();
        incremental.AddRange(session.Append(ids.AsSpan(0, 5)));
        for (var i = 5; i < ids.Length; i++)
        {
            incremental.AddRange(session.Append(ids.AsSpan(i, 1)));
        }

        Assert.Equal(ids.Length, session.Length);
        Assert.True(TestData.MaxAbsDiff(full, incremental.ToArray()) <= 1e-5, $"max |Δ| = {TestData.MaxAbsDiff(full, incremental.ToArray())}");
    }

    [Theory]
    [InlineData(ModelArchitecture.Gpt2)]
    [InlineData(ModelArchitecture.Opt)]
    public void Append_FutureTokenChanged_EarlierRowsUnchanged(ModelArchitecture architecture)
    {
        var config = TinyModels.Of(architecture);
        var decoder = new Decoder(TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, seed: 5)), _threads);
        var ids = TinyModels.Tokens(20, seed: 6);
        var perturbed = (int[])ids.Clone();
        perturbed[12] = (perturbed[12] + 7) % config.VocabularySize;
        perturbed[19] = (perturbed[19] + 3) % config.VocabularySize;

        var a = decoder.StartSession().Append(ids);
        var b = decoder.StartSession().Append(perturbed);

        var h = config.HiddenSize;
        Assert.Equal(a.AsSpan(0, 12 * h).ToArray(), b.AsSpan(0, 12 * h).ToArray());
        Assert.True(TestData.MaxAbsDiff(a.AsSpan(12 * h, h), b.AsSpan(12 * h, h)) > 1e-3, "the changed token must change its own row");
    }

    [Fact]
    public void Generate_Greedy_IsDeterministicAndFollowsArgmax()
    {
        var config = TinyModels.Of(ModelArchitecture.Gpt2);
        var decoder = new Decoder(TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, seed: 7)), _threads);
        int[] prompt = [1, 2, 3];

        var first = decoder.Generate(prompt, 6, SamplingOptions.Greedy);
        var second = decoder.Generate(prompt, 6, SamplingOptions.Greedy);

        Assert.Equal(6, first.Count);
        Assert.Equal(first, second);
        var session = decoder.StartSession();
        var hidden = session.Append(prompt);
        var logits = session.Logits(hidden.AsSpan(hidden.Length - config.HiddenSize));
        Assert.Equal(Array.IndexOf(logits, logits.Max()), first[0]);
    }

    [Fact]
    public void Generate_SameSeed_SameTokens_DifferentSeed_Differs()
    {
        var config = TinyModels.Of(ModelArchitecture.Opt);
        var decoder = new Decoder(TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, seed: 8)), _threads);
        int[] prompt = [4, 5];
        var options = new SamplingOptions(Temperature: 5f, TopK: 40, TopP: 0.95f, Seed: 11);

        var a = decoder.Generate(prompt, 12, options);
        var b = decoder.Generate(prompt, 12, options);
        var c = decoder.Generate(prompt, 12, options with { Seed = 12 });

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Generate_StopsAtEndToken()
    {
        var config = TinyModels.Of(ModelArchitecture.Gpt2);
        var decoder = new Decoder(TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, seed: 9)), _threads);
        var greedy = decoder.Generate([1, 2], 8, SamplingOptions.Greedy);

        var stopped = decoder.Generate([1, 2], 8, SamplingOptions.Greedy, endToken: greedy[2]);

        Assert.Equal(greedy.Take(stopped.Count), stopped);
        Assert.Equal(greedy[2], stopped[^1]);
    }

    [Fact]
    public void Append_PastTheModelsPositions_ThrowsClearly()
    {
        var config = TinyModels.Of(ModelArchitecture.Opt);
        var decoder = new Decoder(TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, seed: 10)), _threads);
        var session = decoder.StartSession();
        session.Append(TinyModels.Tokens(38, seed: 1));

        var error = Assert.Throws<ArgumentException>(() => session.Append([1, 2, 3]));
        Assert.Contains("40 positions", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => decoder.Generate([1, 2], 39, SamplingOptions.Greedy));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Append([config.VocabularySize]));
    }

    public void Dispose() => _threads.Dispose();

    internal static void AssertClose(double[][] expected, float[] actual, int hidden, double tolerance)
    {
        Assert.Equal(expected.Length * hidden, actual.Length);
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            for (var c = 0; c < hidden; c++)
            {
                worst = Math.Max(worst, Math.Abs(expected[i][c] - actual[(i * hidden) + c]));
            }
        }

        Assert.True(worst <= tolerance, $"max |Δ| = {worst}");
    }
}

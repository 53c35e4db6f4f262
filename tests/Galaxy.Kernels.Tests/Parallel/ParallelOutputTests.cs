using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;
using Galaxy.Kernels.Tests.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Tests.Parallel;

/// <summary>The plan's output head (pooled embedding, pooler, logits) computed on the devices equals the single-device model's.</summary>
public sealed class ParallelOutputTests : IDisposable
{
    // As in HybridParallelTests: splitting sums across devices only reorders fp32 additions.
    private const double RelativeTolerance = 1e-5;

    private readonly KernelThreads _threads = new(1);

    /// <summary>Row splits of 11 tokens, with devices that own no rows at the front, in the middle and at the back.</summary>
    public static TheoryData<ParallelMode, int[]> EncoderSplits()
    {
        var data = new TheoryData<ParallelMode, int[]>();
        int[][] splits = [[11], [6, 5], [0, 7, 4], [0, 5, 0, 6], [3, 8, 0, 0]];
        foreach (var mode in Enum.GetValues<ParallelMode>())
        {
            foreach (var rows in splits)
            {
                data.Add(mode, rows);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EncoderSplits))]
    public async Task MeanPooled_AnySplit_EqualsTheSingleDeviceMeanPool(ParallelMode mode, int[] rows)
    {
        var config = TinyModels.Of(ModelArchitecture.Bert);
        var source = InMemoryTensorSource.Synthetic(config, seed: 5);
        var ids = TinyModels.Tokens(rows.Sum(), seed: 6);
        var mask = ids.Select((_, i) => (byte)(i < ids.Length - 3 ? 1 : 0)).ToArray(); // padding at the end
        var plan = Plan(mode, config, rows) with { Output = ParallelOutput.MeanPooled, TileRows = 2 };
        using var cluster = new SimulatedCluster(config, source, plan);

        var result = await cluster.RunAsync(1, ids, keyMask: mask, cancellationToken: TestContext.Current.CancellationToken);

        var hidden = new Encoder(TransformerWeights.Load(config, source), _threads).Forward(ids, default, mask);
        AssertClose(Encoder.MeanPool(hidden, mask, 1, config.HiddenSize), result.Output, $"{mode} {string.Join('+', rows)}");
        AssertOnlyTheHeadAnswers(plan, result, config.HiddenSize, Array.FindIndex(rows, r => r > 0));
    }

    [Theory]
    [MemberData(nameof(EncoderSplits))]
    public async Task Pooler_AnySplit_EqualsTheSingleDevicePooler(ParallelMode mode, int[] rows)
    {
        var config = TinyModels.Of(ModelArchitecture.Bert);
        var source = InMemoryTensorSource.Synthetic(config, seed: 7);
        var ids = TinyModels.Tokens(rows.Sum(), seed: 8);
        var types = ids.Select(i => i % 2).ToArray();
        var plan = Plan(mode, config, rows) with { Output = ParallelOutput.Pooler };
        using var cluster = new SimulatedCluster(config, source, plan);

        var result = await cluster.RunAsync(1, ids, types, cancellationToken: TestContext.Current.CancellationToken);

        var encoder = new Encoder(TransformerWeights.Load(config, source), _threads);
        AssertClose(encoder.Pool(encoder.Forward(ids, types, default), 1), result.Output, $"{mode} {string.Join('+', rows)}");
        AssertOnlyTheHeadAnswers(plan, result, config.HiddenSize, Array.FindIndex(rows, r => r > 0));
    }

    public static TheoryData<ModelArchitecture, ParallelMode, int[]> DecoderSplits()
    {
        var data = new TheoryData<ModelArchitecture, ParallelMode, int[]>();
        int[][] splits = [[9], [4, 5], [0, 6, 3], [2, 7, 0], [0, 4, 0, 5, 0]];
        foreach (var architecture in new[] { ModelArchitecture.Gpt2, ModelArchitecture.Opt })
        {
            foreach (var mode in Enum.GetValues<ParallelMode>())
            {
                foreach (var rows in splits)
                {
                    data.Add(architecture, mode, rows);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DecoderSplits))]
    public async Task TokenLogits_AnySplit_EqualTheSingleDeviceLmHeadOnEveryRow(ModelArchitecture architecture, ParallelMode mode, int[] rows)
    {
        var config = TinyModels.Of(architecture);
        var source = InMemoryTensorSource.Synthetic(config, seed: 9);
        var ids = TinyModels.Tokens(rows.Sum(), seed: 10);
        var plan = Plan(mode, config, rows) with { Output = ParallelOutput.TokenLogits, TileRows = 3 };
        using var cluster = new SimulatedCluster(config, source, plan);

        var result = await cluster.RunAsync(1, ids, cancellationToken: TestContext.Current.CancellationToken);

        var session = new Decoder(TransformerWeights.Load(config, source), _threads).StartSession();
        var hidden = session.Append(ids);
        var expected = Enumerable.Range(0, ids.Length).SelectMany(r => session.Logits(hidden.AsSpan(r * config.HiddenSize, config.HiddenSize))).ToArray();
        AssertClose(expected, result.Output, $"{architecture} {mode} {string.Join('+', rows)}");
        for (var d = 0; d < rows.Length; d++)
        {
            Assert.Equal(rows[d] * config.VocabularySize, result.Devices[d].Rows.Length); // each device its own rows, sequence parallel
        }
    }

    [Theory]
    [MemberData(nameof(DecoderSplits))]
    public async Task NextTokenLogits_AnySplit_EqualTheSingleDeviceLogitsOfTheLastRow(ModelArchitecture architecture, ParallelMode mode, int[] rows)
    {
        var config = TinyModels.Of(architecture);
        var source = InMemoryTensorSource.Synthetic(config, seed: 11);
        var ids = TinyModels.Tokens(rows.Sum(), seed: 12);
        var plan = Plan(mode, config, rows) with { Output = ParallelOutput.NextTokenLogits };
        using var cluster = new SimulatedCluster(config, source, plan);

        var result = await cluster.RunAsync(1, ids, cancellationToken: TestContext.Current.CancellationToken);

        var session = new Decoder(TransformerWeights.Load(config, source), _threads).StartSession();
        var hidden = session.Append(ids);
        AssertClose(session.Logits(hidden.AsSpan(hidden.Length - config.HiddenSize)), result.Output, $"{architecture} {mode} {string.Join('+', rows)}");
        AssertOnlyTheHeadAnswers(plan, result, config.VocabularySize, Array.FindLastIndex(rows, r => r > 0));
    }

    [Fact]
    public async Task MeanPooled_PartialSums_CrossTheLinksInFp32ToTheHead()
    {
        var config = TinyModels.Of(ModelArchitecture.Bert);
        int[] rows = [0, 4, 3, 0, 5];
        var plan = Plan(ParallelMode.Hybrid, config, rows) with { Output = ParallelOutput.MeanPooled, Precision = LinkPrecision.Int8 };
        using var cluster = new SimulatedCluster(config, InMemoryTensorSource.Synthetic(config, 1), plan);

        await cluster.RunAsync(1, TinyModels.Tokens(12, 1), cancellationToken: TestContext.Current.CancellationToken);

        // Devices 2 and 4 send H sums and a count to device 1 (the owner of row 0), whatever the link precision.
        var output = cluster.Stats.Snapshot().Where(t => t.Phase == CollectivePhase.Output).ToList();
        var partialBytes = (config.HiddenSize + 1) * sizeof(float);
        Assert.All(output, t => Assert.Equal(config.Layers - 1, t.Layer));
        Assert.Equal([(2, partialBytes), (4, partialBytes)], output.Where(t => t.BytesSent > 0).Select(t => (t.Rank, (int)t.BytesSent)));
        Assert.Equal((1, 2 * partialBytes), output.Where(t => t.BytesReceived > 0).Select(t => (t.Rank, (int)t.BytesReceived)).Single());
    }

    [Theory]
    [InlineData(ModelArchitecture.Gpt2, ParallelOutput.Pooler, "Gpt2 is a decoder")]
    [InlineData(ModelArchitecture.Bert, ParallelOutput.TokenLogits, "Bert is an encoder")]
    [InlineData(ModelArchitecture.DistilBert, ParallelOutput.NextTokenLogits, "DistilBert is an encoder")]
    [InlineData(ModelArchitecture.DistilBert, ParallelOutput.Pooler, "no pooler")]
    [InlineData(ModelArchitecture.Bert, (ParallelOutput)9, "Unknown output 9")]
    public void Output_TheModelHasNoSuchHead_ClearErrorBeforeAnyCompute(ModelArchitecture architecture, ParallelOutput output, string expected)
    {
        var config = TinyModels.Of(architecture);
        var plan = ParallelPlan.Uniform(ParallelMode.Hybrid, 2, config, 6) with { Output = output };

        var error = Assert.ThrowsAny<ArgumentException>(() => new SimulatedCluster(config, InMemoryTensorSource.Synthetic(config, 1), plan));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hidden_OfAPooledResult_ThrowsNamingTheOutput()
    {
        var config = TinyModels.Of(ModelArchitecture.Bert);
        using var cluster = new SimulatedCluster(config, InMemoryTensorSource.Synthetic(config, 1), ParallelPlan.Uniform(ParallelMode.Hybrid, 2, config, 4) with { Output = ParallelOutput.Pooler });

        var result = await cluster.RunAsync(1, TinyModels.Tokens(4, 1), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(config.HiddenSize, result.Output.Length);
        Assert.Contains("Pooler", Assert.Throws<InvalidOperationException>(() => result.Hidden).Message, StringComparison.Ordinal);
    }

    public void Dispose() => _threads.Dispose();

    /// <summary>Heads and MLP columns split as evenly as the mode allows, rows as given.</summary>
    private static ParallelPlan Plan(ParallelMode mode, ModelConfig config, int[] rows)
    {
        var even = ParallelPlan.Uniform(mode, rows.Length, config, rows.Sum());
        return even with { Shares = [.. even.Shares.Select((s, d) => s with { Rows = rows[d] })] };
    }

    private static void AssertOnlyTheHeadAnswers(ParallelPlan plan, SimulatedResult result, int length, int head)
    {
        Assert.Equal(head, plan.OutputDevice);
        for (var d = 0; d < plan.Devices; d++)
        {
            Assert.Equal(d == head ? length : 0, result.Devices[d].Rows.Length);
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        var worst = TestData.MaxAbsDiff(expected, actual);
        Assert.True(worst <= RelativeTolerance * scale, $"{what}: max |Δ| = {worst:E2} (scale {scale:F2})");
    }
}

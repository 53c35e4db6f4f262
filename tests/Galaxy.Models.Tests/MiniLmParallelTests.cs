using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;
using Galaxy.Kernels.Threading;

namespace Galaxy.Models.Tests;

/// <summary>The real all-MiniLM-L6-v2 split across simulated devices equals the single-device model.</summary>
[Collection(MiniLmCollectionDefinition.Name)]
public sealed class MiniLmParallelTests(MiniLmFixture fixture)
{
    // Splitting sums across devices only reorders fp32 additions.
    private const double RelativeTolerance = 1e-5;

    public static TheoryData<ParallelMode, int[], int[], int> Splits() => new()
    {
        { ParallelMode.Hybrid, [5, 0, 7], [700, 500, 336], 3 },
        { ParallelMode.Hybrid, [1, 1, 1, 1, 1, 7], [256, 256, 256, 256, 256, 256], 1 },
        { ParallelMode.MegatronTensor, [6, 6], [768, 768], 0 },
        { ParallelMode.Sequence, [0, 0, 0], [0, 0, 0], 16 },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public async Task Run_SplitAcrossDevices_MatchesTheSingleDeviceEncoder(ParallelMode mode, int[] heads, int[] columns, int tileRows)
    {
        var model = LocalModel.Load(fixture.Import.OutputDirectory);
        var ids = model.Tokenizer.Encode(string.Join(' ', Enumerable.Repeat("Galaxy splits one inference across several devices on a local network.", 6)));
        var rows = Enumerable.Range(0, heads.Length).Select(d => (ids.Length / heads.Length) + (d < ids.Length % heads.Length ? 1 : 0)).ToArray();
        rows[0] += rows[^1];
        rows[^1] = 0; // one device owns no rows
        var plan = new ParallelPlan(mode, [.. heads.Select((h, d) => new DeviceShare(h, columns[d], rows[d]))], TileRows: tileRows);
        using var threads = new KernelThreads(2);
        var expected = new Encoder(model.Weights, threads).Forward(ids, default, default);

        using var source = SafeTensorsDirectory.Open(fixture.Import.OutputDirectory);
        using var cluster = new SimulatedCluster(model.Config, source, plan);
        var actual = (await cluster.RunAsync(1, ids, cancellationToken: TestContext.Current.CancellationToken)).Hidden;

        var scale = Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        var worst = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        Assert.True(worst <= RelativeTolerance * scale, $"{mode} over {heads.Length} devices, {ids.Length} tokens: max |Δ| = {worst:E2} (scale {scale:F2})");
    }

    [Theory]
    [InlineData(ParallelOutput.MeanPooled)]
    [InlineData(ParallelOutput.Pooler)]
    public async Task Run_PooledOutputs_EqualTheSingleDeviceEncoder(ParallelOutput output)
    {
        var model = LocalModel.Load(fixture.Import.OutputDirectory);
        var ids = model.Tokenizer.Encode("Galaxy pools the sentence on the device that owns its first row.");
        var rows = new[] { 0, ids.Length / 2, ids.Length - (ids.Length / 2) }; // rank 0 owns no rows: rank 1 runs the head
        var plan = new ParallelPlan(ParallelMode.Hybrid, [new(4, 500, rows[0]), new(4, 500, rows[1]), new(4, 536, rows[2])], TileRows: 4) { Output = output };
        using var threads = new KernelThreads(2);
        var encoder = new Encoder(model.Weights, threads);
        var hidden = encoder.Forward(ids, default, default);
        var expected = output == ParallelOutput.Pooler ? encoder.Pool(hidden, 1) : Encoder.MeanPool(hidden, default, 1, model.Config.HiddenSize);

        using var source = SafeTensorsDirectory.Open(fixture.Import.OutputDirectory);
        using var cluster = new SimulatedCluster(model.Config, source, plan);
        var result = await cluster.RunAsync(1, ids, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, plan.OutputDevice);
        var worst = expected.Zip(result.Output, (e, a) => Math.Abs((double)e - a)).Max();
        Assert.True(worst <= RelativeTolerance, $"{output}: max |Δ| = {worst:E2}");
    }

    public static TheoryData<LinkPrecision, ParallelMode> LossySplits() => new()
    {
        { LinkPrecision.Bf16, ParallelMode.Hybrid },
        { LinkPrecision.Int8, ParallelMode.Hybrid },
        { LinkPrecision.Int8, ParallelMode.MegatronTensor },
    };

    [Theory]
    [MemberData(nameof(LossySplits))]
    public async Task Run_LossyLinks_SentenceEmbeddingsCloseToTheSingleDeviceEncoder(LinkPrecision precision, ParallelMode mode)
    {
        var model = LocalModel.Load(fixture.Import.OutputDirectory);
        using var threads = new KernelThreads(2);
        var encoder = new Encoder(model.Weights, threads);
        using var source = SafeTensorsDirectory.Open(fixture.Import.OutputDirectory);
        string[] texts =
        [
            "Galaxy splits one inference across several devices on a local network.",
            "The quick brown fox jumps over the lazy dog.",
            string.Join(' ', Enumerable.Repeat("Edge devices work together so that none of them has to hold the whole model.", 5)),
        ];

        var worstCosine = 1.0;
        var worstHidden = 0.0;
        foreach (var text in texts)
        {
            var ids = model.Tokenizer.Encode(text);
            var plan = ParallelPlan.Uniform(mode, 3, model.Config, ids.Length, overlap: true, tileRows: 8) with { Precision = precision };
            using var cluster = new SimulatedCluster(model.Config, source, plan);
            var expected = encoder.Forward(ids, default, default);
            var actual = (await cluster.RunAsync(1, ids, cancellationToken: TestContext.Current.CancellationToken)).Hidden;

            var scale = Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
            worstHidden = Math.Max(worstHidden, expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max() / scale);
            var cosine = Cosine(Encoder.MeanPool(expected, default, 1, model.Config.HiddenSize), Encoder.MeanPool(actual, default, 1, model.Config.HiddenSize));
            worstCosine = Math.Min(worstCosine, cosine);
        }

        // Measured (3 texts of 15–95 tokens, 3 devices, 8-row tiles): bf16 cosine ≥ 0.999996, hidden |Δ| / scale ≤ 1.3e-3;
        // int8 (blocks of 32) cosine ≥ 0.99975 hybrid / 0.99992 Megatron, hidden |Δ| / scale ≤ 1.5e-2.
        var (minimumCosine, hiddenTolerance) = precision == LinkPrecision.Bf16 ? (0.99999, 3e-3) : (0.999, 3e-2);
        var what = $"{precision} {mode}: worst cosine {worstCosine:F6} (≥ {minimumCosine}), worst hidden |Δ| / scale {worstHidden:E2} (≤ {hiddenTolerance:E1})";
        TestContext.Current.TestOutputHelper?.WriteLine(what);
        Assert.True(worstCosine >= minimumCosine && worstHidden <= hiddenTolerance, what);
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}

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
}

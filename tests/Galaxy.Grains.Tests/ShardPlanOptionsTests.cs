namespace Galaxy.Grains.Tests;

/// <summary>
/// A plan's link precision and output head across real silos: the shard grains send the encoded tiles and the
/// head runs on the shard the plan names.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class ShardPlanOptionsTests(ClusterFixture fixture) : IDisposable
{
    private const string Text = "Galaxy sends narrower tiles over slow home links and pools the sentence where it starts.";

    private readonly SingleDeviceReference _reference = new(fixture.MiniLmDirectory);

    public static TheoryData<PlanExchange, PlanLinkPrecision, double> Cases() => new()
    {
        // fp32 is exact up to reordered sums; int8 (blocks of 32) keeps the sentence embedding's cosine ≥ 0.999.
        { PlanExchange.Ring, PlanLinkPrecision.Fp32, 1e-5 },
        { PlanExchange.Ring, PlanLinkPrecision.Int8, 0 },
        { PlanExchange.Direct, PlanLinkPrecision.Bf16, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Run_MeanPooledOutput_TheOwnerOfRowZeroReturnsTheEmbedding(PlanExchange exchange, PlanLinkPrecision precision, double tolerance)
    {
        var ids = _reference.Tokenizer.Encode(Text);
        var half = ids.Length / 2;

        // dev1 owns no rows, so dev2 (the owner of row 0) pools; MiniLM: 12 heads, 1536 MLP columns.
        var plan = new ShardPlan(
            PlanMode.Hybrid,
            [new PlanShare(4, 512, 0), new PlanShare(4, 512, half), new PlanShare(4, 512, ids.Length - half)],
            true,
            4,
            exchange,
            precision,
            PlanOutput.MeanPooled);
        var requestId = Random.Shared.NextInt64(1, long.MaxValue);
        string[] devices = ["dev1", "dev2", "dev3"];

        var outputs = await Task.WhenAll(devices.Select((device, rank) =>
            fixture.Client.GetGrain<IShardGrain>(DeviceKeys.Shard("minilm", device)).RunAsync(new ShardRequest(requestId, ids, [], [], plan, rank, devices))));

        Assert.Equal([0, 384, 0], outputs.Select(o => o.Rows.Length));
        var expected = _reference.Embed(Text);
        var actual = outputs[1].Rows.ToArray();
        var cosine = expected.Zip(actual, (e, a) => (double)e * a).Sum(); // both are unit vectors
        var worst = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        if (precision == PlanLinkPrecision.Fp32)
        {
            Assert.True(worst <= tolerance, $"fp32: max |Δ| = {worst:E2}");
        }
        else
        {
            Assert.True(cosine >= 0.999 && worst > 0, $"{precision}: cosine {cosine:F6}, max |Δ| = {worst:E2}");
        }
    }

    [Fact]
    public async Task Run_UnknownLinkPrecisionOnTheWire_ClearError()
    {
        var plan = new ShardPlan(PlanMode.Hybrid, [new PlanShare(12, 1536, 2)], true, 0, PlanExchange.Ring, (PlanLinkPrecision)9);
        var dev1 = fixture.Client.GetGrain<IShardGrain>(DeviceKeys.Shard("minilm", "dev1"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => dev1.RunAsync(new ShardRequest(1, [101, 102], [], [], plan, 0, ["dev1"])));

        Assert.Contains("Unknown link precision", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _reference.Dispose();
}

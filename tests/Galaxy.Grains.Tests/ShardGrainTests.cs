namespace Galaxy.Grains.Tests;

/// <summary>A shard grain on its own: a request whose peer never comes can be given up, and ranks must match the device.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class ShardGrainTests(ClusterFixture fixture)
{
    // MiniLM: 12 heads, 1536 MLP columns; three tokens split 2 + 1 rows over dev1 and dev2.
    private static readonly ShardPlan TwoDevices = new(PlanMode.Hybrid, [new PlanShare(6, 768, 2), new PlanShare(6, 768, 1)], true, 0);

    [Fact]
    public async Task Run_PeerNeverRuns_AbortFailsTheWaitingRequestWithTheReason()
    {
        var requestId = Random.Shared.NextInt64(1, long.MaxValue);
        var dev1 = fixture.Client.GetGrain<IShardGrain>(DeviceKeys.Shard("minilm", "dev1"));
        var dev2 = fixture.Client.GetGrain<IShardGrain>(DeviceKeys.Shard("minilm", "dev2"));

        var run = dev1.RunAsync(new ShardRequest(requestId, [101, 7592, 102], [], [], TwoDevices, 0, ["dev1", "dev2"]));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.False(run.IsCompleted, "rank 0 finished without its peer's tiles");
        await dev1.AbortAsync(requestId, "the test gave the request up");
        await dev2.AbortAsync(requestId, "the test gave the request up");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => run);
        Assert.Contains("the test gave the request up", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RankOfAnotherDevice_ClearError()
    {
        var dev1 = fixture.Client.GetGrain<IShardGrain>(DeviceKeys.Shard("minilm", "dev1"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => dev1.RunAsync(new ShardRequest(1, [101, 102], [], [], TwoDevices, 1, ["dev1", "dev2"])));

        Assert.Contains("not its device 'dev1'", error.Message, StringComparison.Ordinal);
    }
}

namespace Galaxy.Grains.Tests;

/// <summary>Device placement: a shard grain keyed "{model}/{device}" runs on that device's silo.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class PlacementTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData("dev1")]
    [InlineData("dev2")]
    [InlineData("dev3")]
    public async Task ShardGrain_KeyNamesDevice_RunsOnThatDevicesSilo(string device)
    {
        var shard = fixture.Client.GetGrain<IShardGrain>(DeviceKeys.Shard("m", device));

        var location = await shard.GetLocationAsync();

        Assert.Equal(device, location.Device);
        Assert.Equal(device, location.SiloName);
    }

    [Fact]
    public async Task ShardGrain_KeyNamesAbsentDevice_FailsNamingTheDevice()
    {
        var shard = fixture.Client.GetGrain<IShardGrain>(DeviceKeys.Shard("m", "toaster"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => shard.GetLocationAsync());

        Assert.Contains("No silo serves device 'toaster'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InferenceGrain_Devices_AreTheThreeSilos()
    {
        var devices = await fixture.Client.GetGrain<IInferenceGrain>("minilm").GetDevicesAsync();

        Assert.Equal(ClusterFixture.Devices, devices);
    }
}

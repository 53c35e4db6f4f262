using Galaxy.Grains.Planning;

namespace Galaxy.Grains.Tests;

/// <summary>Profiles measured at silo start reach the registry; links are measured on demand; plans and status follow them.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class DeviceRegistryTests(ClusterFixture fixture)
{
    private IDeviceRegistryGrain Registry => fixture.Client.GetGrain<IDeviceRegistryGrain>(DeviceRegistry.Key);

    private IInferenceGrain MiniLm => fixture.Client.GetGrain<IInferenceGrain>("minilm");

    [Fact]
    public async Task Profiles_EveryDevice_MeasuredMiniLmShapesOnItsOwnSilo()
    {
        var profiles = await Registry.GetProfilesAsync();

        Assert.Equal(ClusterFixture.Devices, profiles.Select(p => p.Device));
        foreach (var profile in profiles)
        {
            var location = await fixture.Client.GetGrain<IShardGrain>(DeviceKeys.Shard("minilm", profile.Device)).GetLocationAsync();
            Assert.Equal(location.SiloAddress, profile.Silo);
            Assert.Equal((Environment.ProcessorCount, 1), (profile.ProcessorCount, profile.KernelThreads));
            Assert.True(profile.MemoryBudgetBytes > 0, $"{profile.Device}: memory budget {profile.MemoryBudgetBytes}");
            Assert.True(profile.MeasureMilliseconds > 0);
            var minilm = profile.For("minilm");
            Assert.NotNull(minilm);
            Assert.Equal(6, minilm.Layers);
            Assert.Equal(
                [(GemmBlocks.QueryKeyValue, 384, 1152), (GemmBlocks.Output, 384, 384), (GemmBlocks.MlpUp, 384, 1536), (GemmBlocks.MlpDown, 1536, 384)],
                minilm.Gemms.Select(g => (g.Block, g.Depth, g.Columns)));
            Assert.Equal([32, 128, 512], minilm.Attention.Select(a => a.SequenceLength));
            Assert.All(minilm.Gemms, g => Assert.True(g.FlopsPerSecond > 0));
            Assert.All(minilm.Attention, a => Assert.True(a.FlopsPerSecond > 0));
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{profile.Device}: {profile.MeasureMilliseconds:F0} ms; GEMM GFLOP/s {string.Join(", ", minilm.Gemms.Select(g => $"{g.Block} {g.FlopsPerSecond / 1e9:F1}"))}; attention GFLOP/s {string.Join(", ", minilm.Attention.Select(a => $"S={a.SequenceLength} {a.FlopsPerSecond / 1e9:F1}"))}; budget {profile.MemoryBudgetBytes / (double)(1 << 30):F1} GiB");
        }
    }

    [Fact]
    public async Task Publish_SameDeviceAgain_ReplacesAndUnknownSiloIsNotReported()
    {
        var before = await Registry.GetProfilesAsync();
        var dev2 = before.Single(p => p.Device == "dev2");

        // A profile from a silo that is not dev2's live silo (e.g. an old incarnation) is never reported.
        await Registry.PublishAsync(dev2 with { Silo = "S127.0.0.1:1:1" });
        var after = await Registry.GetProfilesAsync();

        // The registry asked dev2 again and got its real profile back.
        Assert.Equal(dev2.Silo, after.Single(p => p.Device == "dev2").Silo);
        Assert.Equal(dev2.MeasuredAt, after.Single(p => p.Device == "dev2").MeasuredAt);
    }

    [Fact]
    public async Task Publish_NoDevice_ClearError()
    {
        var profile = (await Registry.GetProfilesAsync())[0];

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Registry.PublishAsync(profile with { Device = " " }));

        Assert.Contains("needs a device name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MeasureLinks_ThreeDevices_SixDirectedLinksWithLatencyAndBandwidth()
    {
        var links = await Registry.MeasureLinksAsync();

        var expected = ClusterFixture.Devices.SelectMany(from => ClusterFixture.Devices.Where(to => to != from).Select(to => (from, to))).ToArray();
        Assert.Equal(expected.Order(), links.Select(l => (l.From, l.To)).Order());
        Assert.All(links, link =>
        {
            Assert.Equal(1 << 20, link.PayloadBytes);
            Assert.True(link.LatencyMilliseconds > 0 && double.IsFinite(link.LatencyMilliseconds), $"{link.From}→{link.To}: latency {link.LatencyMilliseconds}");
            Assert.True(link.BytesPerSecond > 0 && double.IsFinite(link.BytesPerSecond), $"{link.From}→{link.To}: {link.BytesPerSecond} B/s");
        });
        Assert.Equal(links, await Registry.GetLinksAsync());
        foreach (var link in links)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{link.From} → {link.To}: {link.LatencyMilliseconds:F3} ms, {link.BytesPerSecond / 1e6:F0} MB/s");
        }
    }

    [Fact]
    public async Task DeviceGrain_LinkToItself_ClearError()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Client.GetGrain<IDeviceGrain>(DeviceKeys.Agent("dev1")).MeasureLinkAsync("dev1", 1024));

        Assert.Contains("'dev1' is this device", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeviceGrain_LinkToAbsentDevice_FailsNamingIt()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.Client.GetGrain<IDeviceGrain>(DeviceKeys.Agent("dev1")).MeasureLinkAsync("toaster", 1024));

        Assert.Contains("No silo serves device 'toaster'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(65 << 20)]
    public async Task DeviceGrain_BadPayloadSize_ClearError(int bytes)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Client.GetGrain<IDeviceGrain>(DeviceKeys.Agent("dev1")).MeasureLinkAsync("dev2", bytes));

        Assert.Contains("multiple of 4 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embed_PlannedSplitCoversTheModelWithAPrediction()
    {
        var text = "Shares follow each device's measured speed.";

        var result = await MiniLm.EmbedAsync([text]);

        // Which devices and shares the planner picks depends on the profiles and links measured on this busy machine;
        // what must hold is that the split tiles the model and the sequence and that every number is predicted.
        var timing = result.Texts[0];
        Assert.Subset(ClusterFixture.Devices.ToHashSet(), timing.Devices.Select(d => d.Device).ToHashSet());
        Assert.Equal(12, timing.Devices.Sum(d => d.Share.Heads));
        Assert.Equal(1536, timing.Devices.Sum(d => d.Share.MlpColumns));
        Assert.Equal(timing.Tokens, timing.Devices.Sum(d => d.Share.Rows));
        Assert.True(timing.PredictedMilliseconds > 0);
        Assert.All(timing.Devices, d => Assert.True(d.PredictedComputeMilliseconds > 0 && d.PredictedWallMilliseconds == timing.PredictedMilliseconds));
        Assert.Equal(1, timing.Attempts);
    }

    [Fact]
    public async Task Status_AfterARequest_DevicesProfilesAndSlicesThatCoverTheModel()
    {
        await MiniLm.EmbedAsync(["Status lists what each device holds."]);

        var status = await MiniLm.GetStatusAsync();

        Assert.Equal("minilm", status.Model);
        Assert.Contains(status.Coordinator, fixture.Cluster.GetActiveSilos().Select(s => s.SiloAddress.ToString()));
        Assert.Equal(ClusterFixture.Devices, status.Devices.Select(d => d.Device));
        Assert.All(status.Devices, d =>
        {
            Assert.Null(d.Error);
            Assert.NotNull(d.Profile);
            Assert.Equal(d.Silo, d.Profile.Silo);
            Assert.Contains(d.Loaded, slice => slice.ModelId == "minilm" && slice.Bytes > 0);
        });
    }
}

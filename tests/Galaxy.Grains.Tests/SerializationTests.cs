using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;

namespace Galaxy.Grains.Tests;

/// <summary>Every wire type round-trips through the cluster's Orleans serializer; payloads go as one block of raw bytes.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class SerializationTests(ClusterFixture fixture)
{
    private static readonly Type[] GrainInterfaces = [typeof(IShardGrain), typeof(IInferenceGrain), typeof(IDeviceRegistryGrain), typeof(IDeviceGrain)];

    private static readonly TensorPayload Payload = TensorPayload.CopyOf([1.5f, -2.25f, float.Epsilon, float.MaxValue, 0f, -0f, float.NaN]);

    private Serializer Serializer => fixture.Client.ServiceProvider.GetRequiredService<Serializer>();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(1 << 20)]
    public void TensorPayload_RoundTrip_SameBitsAsOneRawBlock(int length)
    {
        var random = new Random(length);
        var values = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var payload = TensorPayload.CopyOf(values);

        var bytes = Serializer.SerializeToArray(payload);
        var back = Serializer.Deserialize<TensorPayload>(bytes)!;

        Assert.Equal(payload.Bytes.ToArray(), back.Bytes.ToArray());
        Assert.InRange(bytes.Length, length * sizeof(float), (length * sizeof(float)) + 64);
    }

    [Fact]
    public void TileMessage_RoundTrip_KeepsKeyAndData()
    {
        var tile = new TileMessage(long.MaxValue - 3, 5, 2, 1, 7, 2, Payload.Bytes.ToArray());

        var back = RoundTrip(tile);

        Assert.Equal((tile.RequestId, tile.Layer, tile.Phase, tile.Step, tile.Tile, tile.SourceRank), (back.RequestId, back.Layer, back.Phase, back.Step, back.Tile, back.SourceRank));
        Assert.Equal(Payload.Bytes.ToArray(), back.Data);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(1 << 20)]
    public void TileMessage_EncodedTileOfAnyLength_OneRawBlock(int length)
    {
        // Encoded tiles (bf16, int8 blocks) are any number of bytes; they travel as one length-prefixed block.
        var data = Enumerable.Range(0, length).Select(i => (byte)(i * 31)).ToArray();
        var tile = new TileMessage(1, 0, 3, 0, 0, 1, data);

        var bytes = Serializer.SerializeToArray(tile);
        var back = Serializer.Deserialize<TileMessage>(bytes)!;

        Assert.Equal(data, back.Data);
        Assert.InRange(bytes.Length, length, length + 64);
    }

    [Fact]
    public void ShardRequest_RoundTrip_KeepsEveryField()
    {
        var plan = new ShardPlan(PlanMode.MegatronTensor, [new PlanShare(5, 700, 3), new PlanShare(7, 836, 0)], false, 16, PlanExchange.Direct, PlanLinkPrecision.Int8, PlanOutput.MeanPooled);
        var request = new ShardRequest(42, [101, 2023, 102], [0, 0, 1], [1, 1, 0], plan, 1, ["dev1", "dev2"]);

        var back = RoundTrip(request);

        Assert.Equal(request.RequestId, back.RequestId);
        Assert.Equal(request.TokenIds, back.TokenIds);
        Assert.Equal(request.TokenTypeIds, back.TokenTypeIds);
        Assert.Equal(request.KeyMask, back.KeyMask);
        Assert.Equal((plan.Mode, plan.Overlap, plan.TileRows, plan.Exchange), (back.Plan.Mode, back.Plan.Overlap, back.Plan.TileRows, back.Plan.Exchange));
        Assert.Equal((PlanLinkPrecision.Int8, PlanOutput.MeanPooled), (back.Plan.Precision, back.Plan.Output));
        Assert.Equal(plan.Shares, back.Plan.Shares);
        Assert.Equal(request.Rank, back.Rank);
        Assert.Equal(request.Peers, back.Peers);
    }

    [Fact]
    public void ShardOutput_RoundTrip_KeepsRowsAndTiming()
    {
        var output = new ShardOutput("dev2", 4, Payload, [new LayerTime(0, 1.25, 2.5), new LayerTime(1, 0.5, 0.75)], 3.5);

        var back = RoundTrip(output);

        Assert.Equal((output.Device, output.RowStart, output.WallMilliseconds), (back.Device, back.RowStart, back.WallMilliseconds));
        Assert.Equal(Payload.Bytes.ToArray(), back.Rows.Bytes.ToArray());
        Assert.Equal(output.Layers, back.Layers);
    }

    [Fact]
    public void ClientResults_RoundTrip_KeepEveryField()
    {
        var timing = new DeviceTiming("dev1", 0, new PlanShare(4, 512, 3), 1.5, 2.5, [new LayerTime(0, 1.5, 2.5)]);
        var embed = new EmbedResult(384, Payload, [new TextTiming(9, [timing], 4.5)]);
        var infer = new InferResult(3, 384, Payload, [timing], 6.5);
        var location = new ShardLocation("dev3", "dev3", "S127.0.0.1:11111:1");

        var embedBack = RoundTrip(embed);
        var inferBack = RoundTrip(infer);

        Assert.Equal(embed.Dimension, embedBack.Dimension);
        Assert.Equal(Payload.Bytes.ToArray(), embedBack.Embeddings.Bytes.ToArray());
        Assert.Equal((9, 4.5), (embedBack.Texts[0].Tokens, embedBack.Texts[0].WallMilliseconds));
        AssertTimingEqual(timing, embedBack.Texts[0].Devices[0]);
        Assert.Equal((infer.Tokens, infer.HiddenSize, infer.WallMilliseconds), (inferBack.Tokens, inferBack.HiddenSize, inferBack.WallMilliseconds));
        Assert.Equal(Payload.Bytes.ToArray(), inferBack.Hidden.Bytes.ToArray());
        AssertTimingEqual(timing, inferBack.Devices[0]);
        Assert.Equal(location, RoundTrip(location));
        Assert.Equal(PlanMode.Sequence, RoundTrip(PlanMode.Sequence));
    }

    /// <summary>Fails for any type in a grain contract (recursively through its properties) that Orleans has no codec for, e.g. a record without [GenerateSerializer].</summary>
    [Fact]
    public void GrainContracts_EveryGalaxyType_HasAGeneratedOrRegisteredCodec()
    {
        var codecs = fixture.Client.ServiceProvider.GetRequiredService<ICodecProvider>();
        var contractTypes = ContractTypes(GrainInterfaces);

        // Stream events are no grain method's parameter, but travel through the same serializer.
        contractTypes.UnionWith(ContractTypes(typeof(Orleans.Streams.IAsyncObserver<LayerProgress>)));
        Assert.Contains(typeof(ShardRequest), contractTypes);
        Assert.Contains(typeof(LayerTime), contractTypes);
        Assert.Contains(typeof(ProgressRoute), contractTypes);
        Assert.Contains(typeof(GemmThroughput), contractTypes);
        Assert.Contains(typeof(LinkProfile), contractTypes);
        Assert.Contains(typeof(LoadedSlice), contractTypes);
        Assert.Contains(typeof(LayerProgress), contractTypes);
        foreach (var type in contractTypes)
        {
            Assert.True(codecs.TryGetCodec(type) is not null, $"{type.Name} is in a grain contract but Orleans has no codec for it (missing [GenerateSerializer]?).");
            if (type.IsClass && type != typeof(TensorPayload))
            {
                Assert.True(type.GetCustomAttribute<GenerateSerializerAttribute>() is not null, $"{type.Name} lacks [GenerateSerializer].");
                Assert.True(type.GetCustomAttribute<ImmutableAttribute>() is not null, $"{type.Name} lacks [Immutable].");
            }
        }
    }

    [Fact]
    public void GrainContracts_NoFloatArrays()
    {
        var contractTypes = ContractTypes(GrainInterfaces);
        var floatArrays = contractTypes
            .SelectMany(t => t.GetProperties().Select(p => (Owner: t, Property: p)))
            .Where(x => x.Property.PropertyType == typeof(float[]))
            .Select(x => $"{x.Owner.Name}.{x.Property.Name}")
            .ToArray();

        Assert.Empty(floatArrays);
    }

    [Fact]
    public void ShardRequest_WithProgress_KeepsTheRoute()
    {
        var plan = new ShardPlan(PlanMode.Hybrid, [new PlanShare(12, 1536, 3)], true, 0);
        var request = new ShardRequest(7, [101, 102, 103], [], [], plan, 0, ["dev1"]) { Progress = new ProgressRoute(Guid.NewGuid(), 2, 3) };

        var back = RoundTrip(request);

        Assert.Equal(request.Progress, back.Progress);
        Assert.Null(RoundTrip(request with { Progress = null }).Progress);
    }

    [Fact]
    public void Attempts_RoundTrip_OnInferResultAndTextTiming()
    {
        var infer = new InferResult(1, 4, Payload, [], 1.5) { Attempts = 3 };
        var text = new TextTiming(1, [], 2.5) { Attempts = 2 };

        Assert.Equal(3, RoundTrip(infer).Attempts);
        Assert.Equal(2, RoundTrip(text).Attempts);
        Assert.Equal(1, new InferResult(1, 4, Payload, [], 1.5).Attempts);
    }

    [Fact]
    public void ProfilesLinksStatusAndProgress_RoundTrip_KeepEveryField()
    {
        var model = new ModelThroughput(
            "minilm",
            6,
            [new GemmThroughput(GemmBlocks.QueryKeyValue, 128, 384, 1152, 1.25e10), new GemmThroughput(GemmBlocks.MlpDown, 128, 1536, 384, 2.5e10)],
            [new AttentionThroughput(32, 12, 32, 3e9), new AttentionThroughput(512, 12, 32, 7e9)]);
        var profile = new DeviceProfile("dev1", "S127.0.0.1:11111:1", 2, 1, 4L << 30, new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), 1234.5, [model])
        {
            Host = "m-0123456789abcdef", HostProcessorCount = 8, CpuQuotaCores = 0.25,
        };
        var withoutPlacement = new DeviceProfile("dev2", "S127.0.0.1:11112:1", 1, 1, 1L << 30, DateTimeOffset.UnixEpoch, 1, []);
        var link = new LinkProfile("dev1", "dev2", 0.06, 4.5e8, 1 << 20, DateTimeOffset.UnixEpoch);
        var status = new ClusterStatus(
            "minilm",
            "S127.0.0.1:11111:1",
            [new DeviceStatus("dev1", "S127.0.0.1:11111:1", profile, [new LoadedSlice("minilm", 0, 4, 0, 512, 1000)], null), new DeviceStatus("dev2", "S127.0.0.1:11112:1", null, [], "gone")],
            [link]);
        var progress = new LayerProgress(long.MinValue + 1, 2, 5, "dev3", 4, 6);

        var profileBack = RoundTrip(profile);
        var statusBack = RoundTrip(status);

        Assert.Equal(profile with { Models = [] }, profileBack with { Models = [] });
        Assert.Equal(("m-0123456789abcdef", 8, (double?)0.25), (profileBack.Host, profileBack.HostProcessorCount, profileBack.CpuQuotaCores));
        Assert.Equal(((string?)null, 0, (double?)null), (RoundTrip(withoutPlacement).Host, RoundTrip(withoutPlacement).HostProcessorCount, RoundTrip(withoutPlacement).CpuQuotaCores));
        AssertModelEqual(model, profileBack.Models[0]);
        Assert.Equal(link, RoundTrip(link));
        Assert.Equal(progress, RoundTrip(progress));
        Assert.Equal((status.Model, status.Coordinator), (statusBack.Model, statusBack.Coordinator));
        Assert.Equal(status.Links, statusBack.Links);
        Assert.Equal(status.Devices.Select(d => (d.Device, d.Silo, d.Error)), statusBack.Devices.Select(d => (d.Device, d.Silo, d.Error)));
        Assert.Equal(status.Devices[0].Loaded, statusBack.Devices[0].Loaded);
        Assert.Null(statusBack.Devices[1].Profile);
        AssertModelEqual(model, statusBack.Devices[0].Profile!.Models[0]);
    }

    private static void AssertModelEqual(ModelThroughput expected, ModelThroughput actual)
    {
        Assert.Equal((expected.ModelId, expected.Layers), (actual.ModelId, actual.Layers));
        Assert.Equal(expected.Gemms, actual.Gemms);
        Assert.Equal(expected.Attention, actual.Attention);
    }

    private static void AssertTimingEqual(DeviceTiming expected, DeviceTiming actual)
    {
        Assert.Equal((expected.Device, expected.Rank, expected.Share, expected.ComputeMilliseconds, expected.WallMilliseconds), (actual.Device, actual.Rank, actual.Share, actual.ComputeMilliseconds, actual.WallMilliseconds));
        Assert.Equal(expected.Layers, actual.Layers);
    }

    /// <summary>The Galaxy types reachable from the methods of <paramref name="interfaces"/>.</summary>
    private static HashSet<Type> ContractTypes(params Type[] interfaces)
    {
        var found = new HashSet<Type>();
        var pending = new Stack<Type>(interfaces
            .SelectMany(i => i.GetMethods())
            .SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)));
        while (pending.Count > 0)
        {
            var type = pending.Pop();
            if (type.IsArray)
            {
                pending.Push(type.GetElementType()!);
                continue;
            }

            if (type.IsGenericType)
            {
                foreach (var argument in type.GetGenericArguments())
                {
                    pending.Push(argument);
                }

                continue;
            }

            if (type.Assembly != typeof(IShardGrain).Assembly || !found.Add(type))
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                pending.Push(property.PropertyType);
            }
        }

        return found;
    }

    private T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;
}

using Galaxy.Grains.Planning;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Tests;

/// <summary>Plans from profiles: shares follow speed, sums are exact, unknown and zero speeds are handled.</summary>
public sealed class ProportionalPlannerTests
{
    private static readonly ModelConfig MiniLm = new()
    {
        Architecture = ModelArchitecture.Bert, HiddenSize = 384, Heads = 12, Layers = 6, IntermediateSize = 1536,
        VocabularySize = 30522, MaxPositions = 512, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
    };

    [Fact]
    public void Plan_OneToThreeSpeeds_OneToThreeShares()
    {
        var planned = ProportionalPlanner.Plan(MiniLm, 128, ["slow", "fast"], [1.0, 3.0]);

        Assert.Equal(["slow", "fast"], planned.Devices);
        Assert.Equal(new DeviceShare(3, 384, 32), planned.Plan.Shares[0]);
        Assert.Equal(new DeviceShare(9, 1152, 96), planned.Plan.Shares[1]);
        Assert.Equal(ParallelMode.Hybrid, planned.Plan.Mode);
        planned.Plan.Validate(MiniLm, 128);
    }

    [Fact]
    public void Plan_UnevenSpeeds_SharesSumExactly()
    {
        var planned = ProportionalPlanner.Plan(MiniLm, 37, ["a", "b", "c"], [1.7, 2.9, 0.4]);

        planned.Plan.Validate(MiniLm, 37);
        Assert.Equal(12, planned.Plan.Shares.Sum(s => s.Heads));
        Assert.Equal(1536, planned.Plan.Shares.Sum(s => s.MlpColumns));
        Assert.Equal(37, planned.Plan.Shares.Sum(s => s.Rows));
    }

    [Fact]
    public void Plan_VerySlowDevice_MayGetZeroHeadsButStaysForItsColumns()
    {
        // 1 : 40 of 12 heads is 0.29 heads (0 after rounding) but 37 of 1536 columns.
        var planned = ProportionalPlanner.Plan(MiniLm, 64, ["tiny", "big"], [1.0, 40.0]);

        Assert.Equal(["tiny", "big"], planned.Devices);
        Assert.Equal(0, planned.Plan.Shares[0].Heads);
        Assert.Equal(37, planned.Plan.Shares[0].MlpColumns);
        planned.Plan.Validate(MiniLm, 64);
    }

    [Fact]
    public void Plan_ZeroSpeed_DeviceLeftOut()
    {
        var planned = ProportionalPlanner.Plan(MiniLm, 10, ["dead", "a", "b"], [0.0, 1.0, 1.0]);

        Assert.Equal(["a", "b"], planned.Devices);
        Assert.Equal([new DeviceShare(6, 768, 5), new DeviceShare(6, 768, 5)], planned.Plan.Shares);
    }

    [Fact]
    public void Plan_MissingProfile_CountsAsTheMeanOfTheOthers()
    {
        var planned = ProportionalPlanner.Plan(MiniLm, 12, ["a", "new", "b"], [1.0, null, 3.0]);

        // a : new : b = 1 : 2 : 3 of 12 heads.
        Assert.Equal([2, 4, 6], planned.Plan.Shares.Select(s => s.Heads));
        Assert.Equal([1.0, 2.0, 3.0], planned.Speeds);
    }

    [Fact]
    public void Plan_NoProfileAtAll_EvenSplit()
    {
        var planned = ProportionalPlanner.Plan(MiniLm, 7, ["a", "b", "c"], [null, null, null]);

        Assert.Equal([4, 4, 4], planned.Plan.Shares.Select(s => s.Heads));
        Assert.Equal([3, 2, 2], planned.Plan.Shares.Select(s => s.Rows));
    }

    [Fact]
    public void Plan_BadArguments_ClearErrors()
    {
        Assert.Throws<ArgumentException>(() => ProportionalPlanner.Plan(MiniLm, 7, [], []));
        Assert.Contains("2 speeds for 3 devices", Assert.Throws<ArgumentException>(() => ProportionalPlanner.Plan(MiniLm, 7, ["a", "b", "c"], [1.0, 1.0])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ProportionalPlanner.Plan(MiniLm, 7, ["a"], [double.NaN]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProportionalPlanner.Plan(MiniLm, 0, ["a"], [1.0]));
    }

    [Fact]
    public void LayerSpeed_TwiceTheFlopRate_TwiceTheSpeed()
    {
        var slow = Profile("slow", 10e9);
        var fast = Profile("fast", 20e9);

        var slowSpeed = ProportionalPlanner.LayerSpeed(slow, "minilm", MiniLm, 128)!.Value;
        var fastSpeed = ProportionalPlanner.LayerSpeed(fast, "minilm", MiniLm, 128)!.Value;

        Assert.Equal(2.0, fastSpeed / slowSpeed, 12);
    }

    [Fact]
    public void LayerSpeed_IsOneOverTheLayersTime()
    {
        var profile = Profile("d", 10e9);

        var speed = ProportionalPlanner.LayerSpeed(profile, "minilm", MiniLm, 128)!.Value;

        // GEMMs: 2·128·(384·1152 + 384·384 + 384·1536 + 1536·384) FLOP; attention at 128: 4·128²·384 FLOP; all at 10 GFLOP/s.
        var flops = (2.0 * 128 * ((384 * 1152) + (384 * 384) + (384 * 1536) + (1536 * 384))) + (4.0 * 128 * 128 * 384);
        Assert.Equal(10e9 / flops, speed, 6);
    }

    [Fact]
    public void ReferenceLengthOf_ShortModel_CappedAtItsPositions()
    {
        Assert.Equal(128, ProportionalPlanner.ReferenceLengthOf(MiniLm));
        Assert.Equal(64, ProportionalPlanner.ReferenceLengthOf(MiniLm with { MaxPositions = 64 }));
    }

    [Fact]
    public void LayerSpeed_NoProfileOrOtherModel_Null()
    {
        Assert.Null(ProportionalPlanner.LayerSpeed(null, "minilm", MiniLm, 128));
        Assert.Null(ProportionalPlanner.LayerSpeed(Profile("d", 1e9), "bert-large", MiniLm, 128));
    }

    private static DeviceProfile Profile(string device, double flops) => new(
        device,
        "S127.0.0.1:11111:1",
        2,
        1,
        1L << 30,
        DateTimeOffset.UnixEpoch,
        1,
        [
            new ModelThroughput(
                "minilm",
                6,
                [
                    new GemmThroughput(GemmBlocks.QueryKeyValue, 128, 384, 1152, flops),
                    new GemmThroughput(GemmBlocks.Output, 128, 384, 384, flops),
                    new GemmThroughput(GemmBlocks.MlpUp, 128, 384, 1536, flops),
                    new GemmThroughput(GemmBlocks.MlpDown, 128, 1536, 384, flops),
                ],
                [new AttentionThroughput(32, 12, 32, flops / 4), new AttentionThroughput(128, 12, 32, flops), new AttentionThroughput(512, 12, 32, flops / 2)]),
        ]);
}

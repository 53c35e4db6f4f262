namespace Galaxy.Grains.Tests;

/// <summary>Every evaluation mode through <see cref="IEvaluationGrain"/> on the three-silo cluster computes MiniLM's hidden state exactly, with the plan its mode names.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class EvaluationGrainTests(ClusterFixture fixture) : IDisposable
{
    private const string Text = "Edge devices work together so that none of them has to hold the whole model.";

    private readonly SingleDeviceReference _reference = new(fixture.MiniLmDirectory);

    private IEvaluationGrain Evaluation => fixture.Client.GetGrain<IEvaluationGrain>("minilm");

    public static TheoryData<EvaluationMode> Modes => [.. Enum.GetValues<EvaluationMode>()];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Run_EachMode_HiddenStateEqualsSingleDevice(EvaluationMode mode)
    {
        var ids = _reference.Tokenizer.Encode(Text);

        var run = await Evaluation.RunAsync(ids, mode);

        Assert.True(run.Fits, run.Reason);
        Assert.Equal(mode, run.Mode);
        Assert.True(run.WallMilliseconds > 0);
        Assert.True(run.PredictedMilliseconds > 0);
        Assert.Equal(run.Devices, run.Timings.Select(t => t.Device));
        var expected = _reference.Hidden(ids);
        var actual = run.Hidden!.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(v => Math.Abs(v));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale, $"{mode}: value {i} is {actual[i]}, expected {expected[i]}");
        }
    }

    [Fact]
    public async Task Run_Modes_PlanMatchesTheMode()
    {
        var ids = _reference.Tokenizer.Encode(Text);

        var local = await Evaluation.RunAsync(ids, EvaluationMode.Local);
        var megatron = await Evaluation.RunAsync(ids, EvaluationMode.Megatron);
        var sequence = await Evaluation.RunAsync(ids, EvaluationMode.Sequence);
        var galaxy = await Evaluation.RunAsync(ids, EvaluationMode.Galaxy);
        var plain = await Evaluation.RunAsync(ids, EvaluationMode.GalaxyNoOverlap);

        Assert.Single(local.Devices);
        Assert.Equal(PlanMode.MegatronTensor, megatron.Plan!.Mode);
        Assert.Equal(ClusterFixture.Devices, megatron.Devices);
        Assert.Equal(PlanMode.Sequence, sequence.Plan!.Mode);
        Assert.Equal(PlanMode.Hybrid, galaxy.Plan!.Mode);
        Assert.True(galaxy.Plan.Overlap);
        Assert.False(plain.Plan!.Overlap);
        Assert.Equal(galaxy.Devices, plain.Devices);
        Assert.Equal(galaxy.Plan.Shares, plain.Plan.Shares);
        Assert.Equal(ids.Length, sequence.Timings.Sum(t => t.Share.Rows));
    }

    [Theory]
    [InlineData(new[] { 101, 30522, 102 }, "outside model 'minilm''s vocabulary")]
    [InlineData(new int[0], "at least one token id")]
    public async Task Run_BadTokens_ClearError(int[] ids, string expected)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Evaluation.RunAsync(ids, EvaluationMode.Galaxy));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownMode_ClearError()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Evaluation.RunAsync([101, 102], (EvaluationMode)42));

        Assert.Contains("Unknown evaluation mode 42", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _reference.Dispose();
}

using Galaxy.Grains.Planning;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>How the evaluation maps its modes onto the planner: strategies, the overlap ablation, and OOM from the memory model.</summary>
public sealed class EvaluationPlanTests
{
    // Three devices 1:2:3 behind 100 Mbit/s links: communication is large enough for overlap to matter.
    private static readonly PlanningCluster Cluster = new(
        [
            PlanningFixtures.Device("a", 10, uplink: PlanningFixtures.Link(100, 1)),
            PlanningFixtures.Device("b", 20, uplink: PlanningFixtures.Link(100, 1)),
            PlanningFixtures.Device("c", 30, uplink: PlanningFixtures.Link(100, 1)),
        ]);

    [Fact]
    public void Plan_GalaxyNoOverlap_SameSplitAsGalaxyWithOverlapOffAndNoFasterPrediction()
    {
        var galaxy = EvaluationGrain.Plan(PlanningFixtures.MiniLm, 128, Cluster, EvaluationMode.Galaxy);
        var plain = EvaluationGrain.Plan(PlanningFixtures.MiniLm, 128, Cluster, EvaluationMode.GalaxyNoOverlap);

        Assert.True(galaxy.Plan.Overlap);
        Assert.False(plain.Plan.Overlap);
        Assert.Equal(galaxy.Devices, plain.Devices);
        Assert.Equal(galaxy.Plan.Shares, plain.Plan.Shares);
        Assert.Equal(galaxy.Plan.Mode, plain.Plan.Mode);
        Assert.True(plain.Prediction.TotalSeconds >= galaxy.Prediction.TotalSeconds, $"{plain.Prediction.TotalSeconds} < {galaxy.Prediction.TotalSeconds}");
    }

    [Fact]
    public void Plan_Megatron_EvenTensorSplitOverEveryDevice()
    {
        var megatron = EvaluationGrain.Plan(PlanningFixtures.MiniLm, 128, Cluster, EvaluationMode.Megatron);

        Assert.Equal(ParallelMode.MegatronTensor, megatron.Plan.Mode);
        Assert.Equal(["a", "b", "c"], megatron.Devices);
        Assert.All(megatron.Plan.Shares, s => Assert.Equal(4, s.Heads));
        Assert.All(megatron.Plan.Shares, s => Assert.Equal(512, s.MlpColumns));
    }

    [Fact]
    public void Plan_Local_OneDeviceTheFastest()
    {
        var local = EvaluationGrain.Plan(PlanningFixtures.MiniLm, 128, Cluster, EvaluationMode.Local);

        Assert.Equal(["c"], local.Devices);
        Assert.Equal(12, local.Plan.Shares.Single().Heads);
    }

    [Fact]
    public void Plan_SequenceWhenADeviceCannotHoldTheModel_RunsOnTheOthers()
    {
        // Sequence parallelism puts every weight on every device; device a has room for a third of MiniLM.
        var model = MemoryModel.ModelBytes(PlanningFixtures.MiniLm, new PlannerOptions());
        var cramped = new PlanningCluster(
        [
            PlanningFixtures.Device("a", 10, memory: model / 3),
            PlanningFixtures.Device("b", 20),
            PlanningFixtures.Device("c", 30),
        ]);

        var sequence = EvaluationGrain.Plan(PlanningFixtures.MiniLm, 128, cramped, EvaluationMode.Sequence);

        Assert.Equal(["b", "c"], sequence.Devices);
        Assert.True(sequence.Prediction.Fits);
    }

    [Theory]
    [InlineData(EvaluationMode.Local)]
    [InlineData(EvaluationMode.Sequence)]
    [InlineData(EvaluationMode.Megatron)]
    public void Plan_NoDeviceHoldsItsShare_DoesNotFitWithTheNumbers(EvaluationMode mode)
    {
        // Each device holds a tenth of MiniLM: no single device, and no even third of it, fits.
        var model = MemoryModel.ModelBytes(PlanningFixtures.MiniLm, new PlannerOptions());
        var tiny = new PlanningCluster(
        [
            PlanningFixtures.Device("a", 10, memory: model / 10),
            PlanningFixtures.Device("b", 20, memory: model / 10),
            PlanningFixtures.Device("c", 30, memory: model / 10),
        ]);

        var error = Assert.Throws<PlanDoesNotFitException>(() => EvaluationGrain.Plan(PlanningFixtures.MiniLm, 128, tiny, mode));

        Assert.True(error.NeededBytes > model / 10, $"needs {error.NeededBytes}");
        Assert.Contains(mode == EvaluationMode.Megatron ? "does not fit these devices" : "No device can hold the whole model", error.Message, StringComparison.Ordinal);
    }
}

using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains;

/// <summary>Between the kernels' <see cref="ParallelPlan"/> and its wire form <see cref="ShardPlan"/>.</summary>
internal static class PlanConversion
{
    /// <summary>The exchange's wire form.</summary>
    public static PlanExchange ToWire(this CollectiveAlgorithm exchange) =>
        exchange == CollectiveAlgorithm.Direct ? PlanExchange.Direct : PlanExchange.Ring;

    public static ShardPlan ToWire(this ParallelPlan plan) => new(
        plan.Mode switch
        {
            ParallelMode.Hybrid => PlanMode.Hybrid,
            ParallelMode.MegatronTensor => PlanMode.MegatronTensor,
            _ => PlanMode.Sequence,
        },
        [.. plan.Shares.Select(s => new PlanShare(s.Heads, s.MlpColumns, s.Rows))],
        plan.Overlap,
        plan.TileRows,
        plan.Exchange.ToWire(),
        plan.Precision switch
        {
            LinkPrecision.Fp32 => PlanLinkPrecision.Fp32,
            LinkPrecision.Bf16 => PlanLinkPrecision.Bf16,
            LinkPrecision.Int8 => PlanLinkPrecision.Int8,
            _ => throw new ArgumentException($"Unknown link precision {plan.Precision}.", nameof(plan)),
        },
        plan.Output switch
        {
            ParallelOutput.HiddenStates => PlanOutput.HiddenStates,
            ParallelOutput.MeanPooled => PlanOutput.MeanPooled,
            ParallelOutput.Pooler => PlanOutput.Pooler,
            ParallelOutput.TokenLogits => PlanOutput.TokenLogits,
            ParallelOutput.NextTokenLogits => PlanOutput.NextTokenLogits,
            _ => throw new ArgumentException($"Unknown output {plan.Output}.", nameof(plan)),
        });

    public static ParallelPlan ToKernels(this ShardPlan plan) => new(
        plan.Mode switch
        {
            PlanMode.Hybrid => ParallelMode.Hybrid,
            PlanMode.MegatronTensor => ParallelMode.MegatronTensor,
            PlanMode.Sequence => ParallelMode.Sequence,
            _ => throw new ArgumentException($"Unknown plan mode {plan.Mode}.", nameof(plan)),
        },
        [.. plan.Shares.Select(s => new DeviceShare(s.Heads, s.MlpColumns, s.Rows))],
        plan.Overlap,
        plan.TileRows)
    {
        Exchange = plan.Exchange switch
        {
            PlanExchange.Ring => CollectiveAlgorithm.Ring,
            PlanExchange.Direct => CollectiveAlgorithm.Direct,
            _ => throw new ArgumentException($"Unknown exchange {plan.Exchange}.", nameof(plan)),
        },
        Precision = plan.Precision switch
        {
            PlanLinkPrecision.Fp32 => LinkPrecision.Fp32,
            PlanLinkPrecision.Bf16 => LinkPrecision.Bf16,
            PlanLinkPrecision.Int8 => LinkPrecision.Int8,
            _ => throw new ArgumentException($"Unknown link precision {plan.Precision} (fp32, bf16 or int8).", nameof(plan)),
        },
        Output = plan.Output switch
        {
            PlanOutput.HiddenStates => ParallelOutput.HiddenStates,
            PlanOutput.MeanPooled => ParallelOutput.MeanPooled,
            PlanOutput.Pooler => ParallelOutput.Pooler,
            PlanOutput.TokenLogits => ParallelOutput.TokenLogits,
            PlanOutput.NextTokenLogits => ParallelOutput.NextTokenLogits,
            _ => throw new ArgumentException($"Unknown output {plan.Output}.", nameof(plan)),
        },
    };

    public static LayerTime ToWire(this LayerTiming timing) => new(timing.Layer, timing.ComputeMilliseconds, timing.WallMilliseconds);
}

using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Planning;

/// <summary>
/// Predicts a plan's latency from the devices' measured rates and the links, block by block, as the executor runs it
/// (DESIGN.md §3–§5). With S rows, H hidden, d head width, w = h·d for a device's h heads, f its MLP columns, s its rows:
/// <list type="bullet">
/// <item>compute per layer: QKV 2·S·H·3w / r_qkv; attention 4·S²·w / r_att(S); out-projection 2·S·w·H / r_out;
///   MLP up 2·S·H·f / r_up; down 2·S·f·H / r_down; connective 2·s / r_conn (Megatron: 2·S / r_conn; sequence
///   parallelism: every GEMM with s rows and full width, attention 4·s·S·H / r_att(S));</item>
/// <item>hybrid, per layer: AllGather ▸ QKV tiles, ReduceScatter ◂ attention + out-projection tiles, connective,
///   AllGather ▸ MLP-up tiles, ReduceScatter ◂ MLP-down tiles, connective. Each collective is replayed event by event
///   (<see cref="CollectiveTimeline"/>): chunk j's tile on device r costs its block time · s_j / S; a chunk of s_j·H
///   values costs α + s_j·H·b / B on its link (b = <see cref="PlannerOptions.BytesPerElement"/>). With even chunks and
///   equal devices a ring ReduceScatter reduces to T_gemm/N + (N−1)·max(T_gemm/N, α + s·H·b/B);</item>
/// <item>Megatron: the whole block's compute, then an AllReduce (ReduceScatter + AllGather without compute);
///   sequence parallelism: QKV on its rows, AllGather of K and V, then the rest on its rows;</item>
/// <item>total = L · layer + embedding and final norm (s / r_conn each) + <see cref="PlannerOptions.RequestOverheadSeconds"/>.</item>
/// </list>
/// Where the devices run (issues 6 and 7):
/// <list type="bullet">
/// <item>contention: a device's rates were profiled with its host to itself (profiles are measured one silo at a time),
///   under its own CPU quota. The plan's devices on one host compute at once: each keeps c_d = min(kernel threads,
///   quota, host CPUs) cores busy (<see cref="DeviceSpec.CoreDemand"/>; a device with an empty share none). When Σ c_d
///   over a host exceeds its P CPUs, every busy device there is slowed by σ = Σ c_d / P — the kernel shares the cores
///   fairly among runnable threads, so each gets P / Σ c_d of what it had alone. Assumed: devices on a host compute at
///   the same time for the whole request (they run the same layers in lock-step), nothing else runs there, and
///   quotas are ceilings the devices reach. Devices without a host, or a host without a CPU count, never contend;</item>
/// <item>messaging CPU: every message a device sends or receives costs it
///   σ_d · (<see cref="PlannerOptions.MessageCpuSeconds"/> + bytes · <see cref="PlannerOptions.MessageCpuSecondsPerByte"/>)
///   / min(1, quota_d) of its time (a device with half a core pays twice), before the message leaves or before its data is
///   used, and taken from its compute (<see cref="CollectiveTimeline"/>).</item>
/// </list>
/// </summary>
public static class CostModel
{
    /// <summary>Predicts <paramref name="plan"/> on the cluster devices <paramref name="devices"/> (indices, rank order).</summary>
    /// <exception cref="ArgumentException">The plan does not match the devices or does not tile the model and sequence.</exception>
    public static Prediction Predict(ModelConfig config, int sequenceLength, PlanningCluster cluster, IReadOnlyList<int> devices, ParallelPlan plan, PlannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        if (devices.Count != plan.Devices)
        {
            throw new ArgumentException($"The plan has {plan.Devices} shares for {devices.Count} devices.", nameof(plan));
        }

        plan.Validate(config, sequenceLength);
        var n = devices.Count;
        var s = (double)sequenceLength;
        var hidden = config.HiddenSize;
        var specs = devices.Select(i => cluster.Devices[i]).ToArray();
        var shares = plan.Shares;

        var fraction = new double[n];
        var bytes = new double[n];
        for (var j = 0; j < n; j++)
        {
            fraction[j] = shares[j].Rows / s;
            bytes[j] = shares[j].Rows * (double)hidden * options.BytesPerElement;
        }

        var slowdown = Slowdowns(cluster, devices, shares);
        var messageSeconds = new double[n];
        var byteSeconds = new double[n];
        for (var d = 0; d < n; d++)
        {
            var factor = slowdown[d] / specs[d].MessagingCores;
            messageSeconds[d] = options.MessageCpuSeconds * factor;
            byteSeconds[d] = options.MessageCpuSecondsPerByte * factor;
        }

        var perByte = new double[n, n];
        var latency = new double[n, n];
        for (var a = 0; a < n; a++)
        {
            for (var b = 0; b < n; b++)
            {
                if (a != b)
                {
                    var link = cluster.Link(devices[a], devices[b]);
                    perByte[a, b] = 1 / link.BytesPerSecond;
                    latency[a, b] = link.LatencySeconds;
                }
            }
        }

        var attention = new double[n];
        var mlpUp = new double[n];
        var mlpDown = new double[n];
        var qkv = new double[n];
        var connective = new double[n];
        var ends = new double[n];
        var layerCompute = new double[n];
        for (var d = 0; d < n; d++)
        {
            var spec = specs[d];
            var share = shares[d];
            var attentionRate = spec.AttentionFlopsPerSecond(sequenceLength);
            if (plan.Mode == ParallelMode.Sequence)
            {
                double rows = share.Rows;
                qkv[d] = 2 * rows * hidden * 3.0 * hidden / spec.Gemm.QueryKeyValue;
                attention[d] = (4 * rows * s * hidden / attentionRate) + (2 * rows * hidden * (double)hidden / spec.Gemm.Output);
                mlpUp[d] = 2 * rows * hidden * (double)config.IntermediateSize / spec.Gemm.MlpUp;
                mlpDown[d] = 2 * rows * config.IntermediateSize * (double)hidden / spec.Gemm.MlpDown;
                connective[d] = rows / spec.ConnectiveRowsPerSecond;
            }
            else
            {
                var width = (double)share.Heads * config.HeadDim;
                qkv[d] = 2 * s * hidden * 3 * width / spec.Gemm.QueryKeyValue;
                attention[d] = (4 * s * s * width / attentionRate) + (2 * s * width * hidden / spec.Gemm.Output);
                mlpUp[d] = 2 * s * hidden * (double)share.MlpColumns / spec.Gemm.MlpUp;
                mlpDown[d] = 2 * s * share.MlpColumns * (double)hidden / spec.Gemm.MlpDown;
                connective[d] = (plan.Mode == ParallelMode.MegatronTensor ? s : share.Rows) / spec.ConnectiveRowsPerSecond;
            }

            qkv[d] *= slowdown[d];
            attention[d] *= slowdown[d];
            mlpUp[d] *= slowdown[d];
            mlpDown[d] *= slowdown[d];
            connective[d] *= slowdown[d];
            layerCompute[d] = qkv[d] + attention[d] + mlpUp[d] + mlpDown[d] + (2 * connective[d]);
        }

        var timeline = new CollectiveTimeline(perByte, latency, messageSeconds, byteSeconds);
        var exchange = plan.Exchange;
        switch (plan.Mode)
        {
            case ParallelMode.Hybrid:
                timeline.AllGather(exchange, qkv, fraction, bytes, plan.Overlap);
                timeline.ReduceScatter(exchange, attention, fraction, bytes, plan.Overlap);
                timeline.Compute(connective);
                timeline.AllGather(exchange, mlpUp, fraction, bytes, plan.Overlap);
                timeline.ReduceScatter(exchange, mlpDown, fraction, bytes, plan.Overlap);
                timeline.Compute(connective);
                break;
            case ParallelMode.MegatronTensor:
                var none = new double[n];
                timeline.Compute([.. qkv.Select((q, d) => q + attention[d])]);
                timeline.ReduceScatter(exchange, none, fraction, bytes, overlap: false);
                timeline.AllGather(exchange, none, fraction, bytes, overlap: false);
                timeline.Compute(connective);
                timeline.Compute([.. mlpUp.Select((u, d) => u + mlpDown[d])]);
                timeline.ReduceScatter(exchange, none, fraction, bytes, overlap: false);
                timeline.AllGather(exchange, none, fraction, bytes, overlap: false);
                timeline.Compute(connective);
                break;
            default:
                timeline.Compute(qkv);
                timeline.AllGather(exchange, new double[n], fraction, [.. bytes.Select(b => 2 * b)], overlap: false);
                timeline.Compute([.. attention.Select((a, d) => a + mlpUp[d] + mlpDown[d] + (2 * connective[d]))]);
                break;
        }

        Array.Copy(timeline.Ready, ends, n);
        var layer = ends.Max();
        var edges = new double[n];
        for (var d = 0; d < n; d++)
        {
            // Embedding (+ the encoder's LayerNorm) and the decoder's final norm, on the rows each device owns.
            var rows = plan.Mode == ParallelMode.MegatronTensor ? s : shares[d].Rows;
            edges[d] = (config.IsDecoder ? 2 : 1) * rows / specs[d].ConnectiveRowsPerSecond * slowdown[d];
        }

        var total = (config.Layers * layer) + edges.Max() + options.RequestOverheadSeconds;
        var predictions = new DevicePrediction[n];
        for (var d = 0; d < n; d++)
        {
            var compute = (config.Layers * layerCompute[d]) + edges[d];
            var link = config.Layers * timeline.LinkSeconds[d];
            var messaging = config.Layers * timeline.MessageCpuSeconds[d];
            var idle = Math.Max(0, total - compute - messaging);
            // At least this much of its link time ran while it computed: compute + link cannot exceed the request otherwise.
            var overlapped = Math.Clamp(link - idle, 0, link);
            predictions[d] = new DevicePrediction(
                specs[d].Name,
                shares[d],
                compute,
                link,
                overlapped,
                MemoryModel.Estimate(config, plan.Mode, shares[d], sequenceLength, options),
                specs[d].MemoryBudgetBytes)
            {
                MessagingSeconds = messaging,
                Slowdown = slowdown[d],
            };
        }

        return new Prediction(total, layer, exchange, predictions);
    }

    /// <summary>
    /// Per device of <paramref name="devices"/> (indices into the cluster, rank order), the factor σ its compute is
    /// slowed by because devices of the plan share its host: Σ c_d / P over the busy devices on that host when it exceeds
    /// the host's P CPUs, else 1 (see the class remarks). A device whose share in <paramref name="shares"/> is empty is
    /// idle and asks for no cores; without <paramref name="shares"/> every device counts as busy. P is what the
    /// <paramref name="devices"/> on that host report (the most), not the rest of the cluster: a subset's prediction
    /// depends on its own devices and links only.
    /// </summary>
    public static double[] Slowdowns(PlanningCluster cluster, IReadOnlyList<int> devices, IReadOnlyList<DeviceShare>? shares = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(devices);
        var n = devices.Count;
        var result = new double[n];
        Array.Fill(result, 1.0);

        // Plain loops, no allocation beyond the result: this runs for every subset and split the planner weighs, and on
        // a live cluster every device has a host. Each host is handled once, at its first busy device of the plan.
        string? HostOf(int d) => shares is not null && shares[d] is { Heads: 0, MlpColumns: 0, Rows: 0 } ? null : cluster.Devices[devices[d]].Host;
        for (var first = 0; first < n; first++)
        {
            var host = HostOf(first);
            if (host is null || SeenBefore(first, host) || cluster.HostProcessorCount(devices[first], devices) is not { } processors)
            {
                continue;
            }

            var demand = 0.0;
            for (var d = first; d < n; d++)
            {
                if (string.Equals(HostOf(d), host, StringComparison.Ordinal))
                {
                    demand += cluster.Devices[devices[d]].CoreDemand(processors);
                }
            }

            if (demand > processors)
            {
                for (var d = first; d < n; d++)
                {
                    if (string.Equals(HostOf(d), host, StringComparison.Ordinal))
                    {
                        result[d] = demand / processors;
                    }
                }
            }
        }

        bool SeenBefore(int index, string host)
        {
            for (var d = 0; d < index; d++)
            {
                if (string.Equals(HostOf(d), host, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        return result;
    }
}

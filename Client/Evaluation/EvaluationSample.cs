using System.Text.Json.Serialization;

namespace Galaxy.Client.Evaluation;

/// <summary>
/// One recorded run of one cell (setup, device count, bandwidth, model, sequence length, mode), as the raw JSON keeps
/// it; or a cell the planner's memory model rejected (<see cref="Fits"/> false, <see cref="Oom"/> says why).
/// </summary>
public sealed record EvaluationSample
{
    /// <summary>The setup's name.</summary>
    [JsonPropertyName("setup")]
    public string Setup { get; init; } = string.Empty;

    /// <summary>Devices in the cluster (the sweep's k, or all the setup's devices).</summary>
    [JsonPropertyName("cluster_devices")]
    public int ClusterDevices { get; init; }

    /// <summary>The links: a rate every device had (e.g. "100mbit"), or "setup" for each device's own.</summary>
    [JsonPropertyName("bandwidth")]
    public string Bandwidth { get; init; } = string.Empty;

    /// <summary>The model preset.</summary>
    [JsonPropertyName("model")]
    public string Model { get; init; } = string.Empty;

    /// <summary>Tokens in the request.</summary>
    [JsonPropertyName("seq")]
    public int Sequence { get; init; }

    /// <summary>The mode's name (local, megatron, sp, galaxy-no-overlap, galaxy).</summary>
    [JsonPropertyName("mode")]
    public string Mode { get; init; } = string.Empty;

    /// <summary>Run number within the cell, from 1.</summary>
    [JsonPropertyName("run")]
    public int Run { get; init; }

    /// <summary>False when the planner's memory model found no device set that holds the model in this mode.</summary>
    [JsonPropertyName("fits")]
    public bool Fits { get; init; } = true;

    /// <summary>Why the mode does not fit (memory needed against available), or null.</summary>
    [JsonPropertyName("oom")]
    public string? Oom { get; init; }

    /// <summary>Measured latency (fan-out to assembled result), ms.</summary>
    [JsonPropertyName("wall_ms")]
    public double WallMilliseconds { get; init; }

    /// <summary>The cost model's prediction for the plan, ms.</summary>
    [JsonPropertyName("predicted_ms")]
    public double PredictedMilliseconds { get; init; }

    /// <summary>The client's time for the call (network to the coordinator included), ms.</summary>
    [JsonPropertyName("client_ms")]
    public double ClientMilliseconds { get; init; }

    /// <summary>The devices the plan used, in rank order.</summary>
    [JsonPropertyName("devices")]
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>Per used device "heads/columns/rows", in rank order.</summary>
    [JsonPropertyName("shares")]
    public IReadOnlyList<string> Shares { get; init; } = [];

    /// <summary>Per used device its measured compute, ms.</summary>
    [JsonPropertyName("compute_ms")]
    public IReadOnlyList<double> ComputeMilliseconds { get; init; } = [];

    /// <summary>Per used device the predicted compute, ms.</summary>
    [JsonPropertyName("predicted_compute_ms")]
    public IReadOnlyList<double> PredictedComputeMilliseconds { get; init; } = [];

    /// <summary>The collective algorithm (ring or direct).</summary>
    [JsonPropertyName("exchange")]
    public string Exchange { get; init; } = string.Empty;

    /// <summary>Whether tiles overlapped communication.</summary>
    [JsonPropertyName("overlap")]
    public bool Overlap { get; init; }

    /// <summary>Devices the planner left out, with the reason.</summary>
    [JsonPropertyName("excluded")]
    public IReadOnlyList<string> Excluded { get; init; } = [];

    /// <summary>Largest |difference| of the hidden state against the cell's first mode that ran (null for that mode itself).</summary>
    [JsonPropertyName("max_abs_diff")]
    public double? MaxAbsoluteDifference { get; init; }
}

using System.Text.Json.Serialization;

namespace Galaxy.Client.Evaluation;

/// <summary>One cell's runs summarised: median and spread of the measured latency, the prediction, or OOM.</summary>
/// <param name="Setup">The setup's name.</param>
/// <param name="ClusterDevices">Devices in the cluster.</param>
/// <param name="Bandwidth">The links' label.</param>
/// <param name="Model">The model preset.</param>
/// <param name="Sequence">Tokens per request.</param>
/// <param name="Mode">The mode's name.</param>
/// <param name="Runs">Recorded runs (0 for OOM).</param>
/// <param name="Median">Median latency, ms.</param>
/// <param name="Lower">First quartile, ms.</param>
/// <param name="Upper">Third quartile, ms.</param>
/// <param name="Min">Fastest run, ms.</param>
/// <param name="Max">Slowest run, ms.</param>
/// <param name="PredictedMedian">Median prediction, ms.</param>
/// <param name="Oom">Why the mode does not fit, or null.</param>
/// <param name="Devices">The devices used (of the first run).</param>
/// <param name="MaxAbsoluteDifference">Largest |difference| against the cell's reference output over its runs, or null.</param>
public sealed record CellSummary(
    string Setup,
    int ClusterDevices,
    string Bandwidth,
    string Model,
    int Sequence,
    string Mode,
    int Runs,
    double Median,
    double Lower,
    double Upper,
    double Min,
    double Max,
    double PredictedMedian,
    string? Oom,
    IReadOnlyList<string> Devices,
    double? MaxAbsoluteDifference)
{
    /// <summary>Whether the mode ran (false: OOM).</summary>
    public bool Ran => Oom is null && Runs > 0;

    /// <summary>Measured median / predicted median − 1 (0 when nothing was predicted).</summary>
    public double PredictionError => PredictedMedian > 0 && Ran ? (Median / PredictedMedian) - 1 : 0;

    /// <summary>The cell without its mode: the runs compared against each other.</summary>
    [JsonIgnore]
    public (string Setup, int ClusterDevices, string Bandwidth, string Model, int Sequence) Group => (Setup, ClusterDevices, Bandwidth, Model, Sequence);
}

namespace Galaxy.Benchmarks.Cluster;

/// <summary>One model's result: medians over the measured rounds of the cluster and the in-process run of the same plan.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Sequence">Tokens per request.</param>
/// <param name="Devices">Devices (silos on one side, simulated devices on the other).</param>
/// <param name="Layers">Layers in the model.</param>
/// <param name="ClusterMilliseconds">Median request time through <c>IInferenceGrain.InferAsync</c>.</param>
/// <param name="InProcessMilliseconds">Median request time of <c>SimulatedCluster.RunAsync</c>.</param>
/// <param name="ClusterComputeMilliseconds">Median of the most any device computed, cluster side.</param>
/// <param name="InProcessComputeMilliseconds">The same in process.</param>
/// <param name="ClusterLayersMilliseconds">Median of the longest any device spent inside its layers (wall), cluster side.</param>
/// <param name="InProcessLayersMilliseconds">The same in process.</param>
/// <param name="ClusterOutsideMilliseconds">Median of request time minus that: fan-out, embedding, fan-in, the result.</param>
/// <param name="InProcessOutsideMilliseconds">The same in process.</param>
/// <param name="ClusterCpuMilliseconds">Median CPU time of the whole process during a request, cluster side (every thread: devices, silos, sockets).</param>
/// <param name="InProcessCpuMilliseconds">The same in process.</param>
/// <param name="PairedOverhead">Quartiles of the per-round overhead (cluster / in-process − 1 of the same round).</param>
/// <param name="TileCallsPerRequest">Tiles sent per request, all devices together (one grain call each on the cluster side).</param>
/// <param name="MeanTileBytes">Mean tile size.</param>
/// <param name="MaxAbsDifference">Largest difference between the two sides' last hidden states.</param>
/// <param name="CoresUsedByOthers">Cores other processes used meanwhile (null off Linux).</param>
/// <param name="Rounds">Measured rounds.</param>
/// <param name="Exchange">How the plan's collectives move chunks (ring or direct).</param>
/// <param name="Transport">How the cluster's shards moved tiles (sockets or grain calls).</param>
public sealed record ClusterRow(
    string Model,
    int Sequence,
    int Devices,
    int Layers,
    double ClusterMilliseconds,
    double InProcessMilliseconds,
    double ClusterComputeMilliseconds,
    double InProcessComputeMilliseconds,
    double ClusterLayersMilliseconds,
    double InProcessLayersMilliseconds,
    double ClusterOutsideMilliseconds,
    double InProcessOutsideMilliseconds,
    double ClusterCpuMilliseconds,
    double InProcessCpuMilliseconds,
    Hmp.Quartiles PairedOverhead,
    long TileCallsPerRequest,
    double MeanTileBytes,
    double MaxAbsDifference,
    double? CoresUsedByOthers,
    int Rounds,
    Galaxy.Kernels.Parallel.CollectiveAlgorithm Exchange,
    Galaxy.Grains.TileTransport Transport)
{
    /// <summary>Sequential message steps per layer: four collectives of N − 1 ring steps each, or of one direct step.</summary>
    public int StepsPerLayer => Exchange == Galaxy.Kernels.Parallel.CollectiveAlgorithm.Ring ? 4 * (Devices - 1) : 4;

    /// <summary>cluster / in-process − 1 of the medians.</summary>
    public double Overhead => (ClusterMilliseconds / InProcessMilliseconds) - 1;

    /// <summary>What the cluster adds per layer, in ms.</summary>
    public double OverheadPerLayerMilliseconds => (ClusterMilliseconds - InProcessMilliseconds) / Layers;
}

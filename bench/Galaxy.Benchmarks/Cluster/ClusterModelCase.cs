using Galaxy.Kernels.Model;

namespace Galaxy.Benchmarks.Cluster;

/// <summary>One model the cluster benchmark runs: its model id on the devices, directory, config and request.</summary>
/// <param name="Name">The row's model name.</param>
/// <param name="ModelId">The id the devices' <c>ModelCatalog</c> serves it under.</param>
/// <param name="Directory">The model directory both sides load their slices from.</param>
/// <param name="Config">Its config.</param>
/// <param name="TokenIds">The one request, (S).</param>
public sealed record ClusterModelCase(string Name, string ModelId, string Directory, ModelConfig Config, int[] TokenIds)
{
    public int Sequence => TokenIds.Length;
}

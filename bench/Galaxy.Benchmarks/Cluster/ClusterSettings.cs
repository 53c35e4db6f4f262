namespace Galaxy.Benchmarks.Cluster;

/// <summary>What one <c>cluster</c> run measures.</summary>
/// <param name="Models">"minilm" and/or "bert-large", in that order.</param>
/// <param name="BertLayers">Layers of the synthetic BERT-large.</param>
/// <param name="Rounds">Measured rounds per model (each runs the cluster and the in-process plan once).</param>
/// <param name="WarmUpRounds">Rounds run first and thrown away.</param>
/// <param name="Budget">After this the current model stops early and the rest are skipped.</param>
/// <param name="JsonPath">Where to write the rows, or null.</param>
/// <param name="Transports">The tile transports the cluster side runs, each in every round.</param>
public sealed record ClusterSettings(IReadOnlyList<string> Models, int BertLayers, int Rounds, int WarmUpRounds, TimeSpan Budget, string? JsonPath, IReadOnlyList<Galaxy.Grains.TileTransport> Transports)
{
    /// <summary>Both transports, sockets first.</summary>
    public static IReadOnlyList<Galaxy.Grains.TileTransport> BothTransports { get; } = [Galaxy.Grains.TileTransport.Sockets, Galaxy.Grains.TileTransport.GrainCalls];
}

namespace Galaxy.Grains;

/// <summary>A device's measured speed on the blocks of one model it serves, at that model's shapes.</summary>
/// <param name="ModelId">The model id (as in <see cref="IInferenceGrain"/>'s key).</param>
/// <param name="Layers">The model's layer count.</param>
/// <param name="Gemms">The four GEMMs of a layer (<see cref="GemmBlocks"/>), whole-model widths.</param>
/// <param name="Attention">Attention over all heads, by sequence length (ascending).</param>
[GenerateSerializer, Immutable, Alias("galaxy.model-throughput")]
public sealed record ModelThroughput(
    [property: Id(0)] string ModelId,
    [property: Id(1)] int Layers,
    [property: Id(2)] IReadOnlyList<GemmThroughput> Gemms,
    [property: Id(3)] IReadOnlyList<AttentionThroughput> Attention)
{
    /// <summary>Rows per second of the connective block (residual + bias + LayerNorm over H values); 0 when not measured.</summary>
    [Id(4)]
    public double ConnectiveRowsPerSecond { get; init; }
}

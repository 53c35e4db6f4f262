namespace Galaxy.Grains;

/// <summary>
/// A device's measured speed on one GEMM of a model's layer: C (Rows, Columns) = A (Rows, Depth) · B (Depth, Columns),
/// 2 · Rows · Depth · Columns FLOP, on the device's kernel threads.
/// </summary>
/// <param name="Block">Which projection: <see cref="GemmBlocks"/> names them.</param>
/// <param name="Rows">M: sequence rows the measurement used.</param>
/// <param name="Depth">K.</param>
/// <param name="Columns">N (the whole model's; a device's share scales it).</param>
/// <param name="FlopsPerSecond">Median over the timed repetitions.</param>
[GenerateSerializer, Immutable, Alias("galaxy.gemm-throughput")]
public sealed record GemmThroughput(
    [property: Id(0)] string Block,
    [property: Id(1)] int Rows,
    [property: Id(2)] int Depth,
    [property: Id(3)] int Columns,
    [property: Id(4)] double FlopsPerSecond)
{
    /// <summary>2 · M · K · N.</summary>
    public double Flops => 2.0 * Rows * Depth * Columns;
}

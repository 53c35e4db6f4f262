namespace Galaxy.Kernels.Parallel;

/// <summary>
/// Names one message between two devices: which request, which layer, which collective, which ring step and
/// which tile of that step. Concurrent requests never mix because every tile carries its request's id.
/// </summary>
public readonly record struct TileKey(long RequestId, int Layer, CollectivePhase Phase, int Step, int Tile)
{
    /// <summary>The same collective at another ring step and tile.</summary>
    public TileKey At(int step, int tile) => this with { Step = step, Tile = tile };
}

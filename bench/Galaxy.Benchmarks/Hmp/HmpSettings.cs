using Galaxy.Kernels.Parallel;

namespace Galaxy.Benchmarks.Hmp;

/// <summary>What the <c>hmp</c> benchmark runs.</summary>
/// <param name="Layers">Layers of BERT-large that run (each is timed and reported).</param>
/// <param name="Sequence">Tokens per request.</param>
/// <param name="Devices">Simulated device counts, each ≥ 2 (the one-device anchor always runs).</param>
/// <param name="Links">Link specifications in <c>tc</c> units, e.g. <c>1gbit</c>, <c>100mbit+1ms</c>.</param>
/// <param name="TileRows">Galaxy tile sizes in rows; 0 sends whole chunks.</param>
/// <param name="Precisions">Link precisions; every mode on N devices runs in each.</param>
/// <param name="Rounds">Measured rounds per (devices, link) group; each round runs every mode once.</param>
/// <param name="WarmUpRounds">Unmeasured rounds before them.</param>
/// <param name="JsonPath">Where to write the JSON rows, or null.</param>
public sealed record HmpSettings(
    int Layers,
    int Sequence,
    IReadOnlyList<int> Devices,
    IReadOnlyList<string> Links,
    IReadOnlyList<int> TileRows,
    IReadOnlyList<LinkPrecision> Precisions,
    int Rounds,
    int WarmUpRounds,
    string? JsonPath);

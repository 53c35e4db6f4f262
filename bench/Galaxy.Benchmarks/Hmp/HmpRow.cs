namespace Galaxy.Benchmarks.Hmp;

/// <summary>
/// One line of the <c>hmp</c> report: medians over the rounds of one mode on one (devices, link) group. Times
/// are per layer (a request's total over its layers divided by the layer count) unless named otherwise.
/// </summary>
/// <param name="Model">Model shape, e.g. <c>bert-large</c>.</param>
/// <param name="Sequence">Tokens per request.</param>
/// <param name="Devices">Simulated devices.</param>
/// <param name="Link">Link label (rate, e.g. <c>100mbit</c>), or <c>none</c> for one device.</param>
/// <param name="LinkSpec">The link as given, e.g. <c>100mbit+1ms</c>.</param>
/// <param name="Mode">Mode name (<see cref="HmpMode.Name"/>).</param>
/// <param name="Precision">Link precision of the mode's tiles: <c>fp32</c>, <c>bf16</c> or <c>int8</c>.</param>
/// <param name="LayerMilliseconds">Median layer time W (critical device's wall time).</param>
/// <param name="PerLayerMilliseconds">Median W of each layer, in order.</param>
/// <param name="ComputeMilliseconds">Median compute time of the critical device.</param>
/// <param name="ExposedCommunicationMilliseconds">Median exposed communication E = W − compute on the critical device.</param>
/// <param name="HiddenShare">1 − E / E(same plan, overlap off), from the medians; null where it does not apply.</param>
/// <param name="PairedHiddenShare">For an overlapped row, quartiles of the hidden share computed round by round (each round's run against its reference's run of the same round).</param>
/// <param name="HiddenShareBound">For an overlapped row, min(1, compute / E(overlap off)): overlap cannot hide more than the critical device computes.</param>
/// <param name="ReceiveWaitMilliseconds">Median time the critical device's receives waited for tiles.</param>
/// <param name="BytesSentPerDevice">Most payload bytes one device sent per layer.</param>
/// <param name="ModelledLinkMilliseconds">The busiest link's modelled time per layer, its messages one after another (an upper bound of its occupancy).</param>
/// <param name="ProcessCpuMilliseconds">Median CPU time of the whole process per layer (all devices, ring tasks, link pumps).</param>
/// <param name="LayerSpread">Interquartile range of the layer time over its median.</param>
/// <param name="Samples">Measured requests.</param>
public sealed record HmpRow(
    string Model,
    int Sequence,
    int Devices,
    string Link,
    string LinkSpec,
    string Mode,
    string Precision,
    double LayerMilliseconds,
    IReadOnlyList<double> PerLayerMilliseconds,
    double ComputeMilliseconds,
    double ExposedCommunicationMilliseconds,
    double? HiddenShare,
    double? HiddenShareBound,
    Quartiles? PairedHiddenShare,
    double ReceiveWaitMilliseconds,
    double BytesSentPerDevice,
    double ModelledLinkMilliseconds,
    double ProcessCpuMilliseconds,
    double LayerSpread,
    int Samples);

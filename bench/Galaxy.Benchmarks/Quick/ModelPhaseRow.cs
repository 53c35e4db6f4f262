using Galaxy.Benchmarks.Models;

namespace Galaxy.Benchmarks.Quick;

/// <summary>Where one case's time goes, in milliseconds per forward (medians over the profiled forwards).</summary>
/// <param name="Case">Sequence length and threads.</param>
/// <param name="EncoderMilliseconds">Galaxy's <c>Encoder.Forward</c> itself, timed alongside the profiler's copies.</param>
/// <param name="Phases">Per <see cref="EncoderPhase"/>, the bench-side copy allocating per forward as the encoder does.</param>
/// <param name="PhasesTotalMilliseconds">That copy's whole forward.</param>
/// <param name="ReusedPhases">Per <see cref="EncoderPhase"/>, the copy with its buffers allocated once.</param>
/// <param name="ReusedTotalMilliseconds">That copy's whole forward.</param>
/// <param name="AnchorOperators">ONNX Runtime's kernel time per operator type, from its profiler.</param>
/// <param name="AnchorRunMilliseconds">ONNX Runtime's whole run under its profiler.</param>
public sealed record ModelPhaseRow(
    ModelCase Case,
    double EncoderMilliseconds,
    IReadOnlyList<double> Phases,
    double PhasesTotalMilliseconds,
    IReadOnlyList<double> ReusedPhases,
    double ReusedTotalMilliseconds,
    IReadOnlyDictionary<string, double> AnchorOperators,
    double AnchorRunMilliseconds);

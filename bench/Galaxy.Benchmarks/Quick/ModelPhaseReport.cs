using System.Globalization;
using Galaxy.Benchmarks.Models;
using Spectre.Console;

namespace Galaxy.Benchmarks.Quick;

/// <summary>Writes <c>model --phases</c>: Galaxy's phases and ONNX Runtime's operators, per case.</summary>
public static class ModelPhaseReport
{
    private static readonly EncoderPhase[] GemmPhases =
        [EncoderPhase.QueryKeyValueGemm, EncoderPhase.OutputGemm, EncoderPhase.UpGemm, EncoderPhase.DownGemm];

    /// <param name="rows">One per case.</param>
    /// <param name="layers">The model's layer count (for the calls-per-forward column).</param>
    /// <param name="console">Where the tables go.</param>
    /// <param name="summary">Plain lines (never wrapped) with each case's totals.</param>
    public static void Write(IReadOnlyList<ModelPhaseRow> rows, int layers, IAnsiConsole console, TextWriter summary)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(summary);

        foreach (var row in rows)
        {
            var galaxy = new Table()
                .Title(Invariant($"Galaxy, seq {row.Case.Sequence}, {row.Case.Threads} thread(s): ms per forward (median)"))
                .AddColumn("phase")
                .AddColumn("calls", c => c.RightAligned())
                .AddColumn("ms", c => c.RightAligned())
                .AddColumn("share", c => c.RightAligned())
                .AddColumn("ms, buffers reused", c => c.RightAligned());
            foreach (var phase in Enum.GetValues<EncoderPhase>())
            {
                var index = (int)phase;
                galaxy.AddRow(
                    phase.ToString(),
                    Invariant($"{CallsPerForward(phase, layers)}"),
                    Invariant($"{row.Phases[index]:F2}"),
                    Invariant($"{row.Phases[index] / row.PhasesTotalMilliseconds:P1}"),
                    Invariant($"{row.ReusedPhases[index]:F2}"));
            }

            var gemm = GemmPhases.Sum(phase => row.Phases[(int)phase]);
            var reusedGemm = GemmPhases.Sum(phase => row.ReusedPhases[(int)phase]);
            galaxy.AddRow("[bold]all four GEMMs[/]", Invariant($"{4 * layers}"), Invariant($"{gemm:F2}"), Invariant($"{gemm / row.PhasesTotalMilliseconds:P1}"), Invariant($"{reusedGemm:F2}"));
            galaxy.AddRow("[bold]whole forward[/]", string.Empty, Invariant($"{row.PhasesTotalMilliseconds:F2}"), string.Empty, Invariant($"{row.ReusedTotalMilliseconds:F2}"));
            console.Write(galaxy);

            var anchor = new Table()
                .Title(Invariant($"ONNX Runtime, seq {row.Case.Sequence}, {row.Case.Threads} thread(s): kernel ms per run by operator (its profiler, median)"))
                .AddColumn("operator")
                .AddColumn("ms", c => c.RightAligned())
                .AddColumn("share of run", c => c.RightAligned());
            foreach (var (op, milliseconds) in row.AnchorOperators.OrderByDescending(pair => pair.Value))
            {
                anchor.AddRow(Markup.Escape(op), Invariant($"{milliseconds:F2}"), Invariant($"{milliseconds / row.AnchorRunMilliseconds:P1}"));
            }

            anchor.AddRow("[bold]whole run[/]", Invariant($"{row.AnchorRunMilliseconds:F2}"), string.Empty);
            console.Write(anchor);

            summary.WriteLine(
                Invariant($"seq {row.Case.Sequence}, {row.Case.Threads} thread(s): Encoder.Forward {row.EncoderMilliseconds:F2} ms; profiled copy {row.PhasesTotalMilliseconds:F2} ms ") +
                Invariant($"(GEMMs {gemm / row.PhasesTotalMilliseconds:P0}, attention {row.Phases[(int)EncoderPhase.Attention] / row.PhasesTotalMilliseconds:P0}), ") +
                Invariant($"{row.ReusedTotalMilliseconds:F2} ms with buffers reused; ONNX Runtime under its profiler {row.AnchorRunMilliseconds:F2} ms"));
        }
    }

    private static int CallsPerForward(EncoderPhase phase, int layers) => phase switch
    {
        EncoderPhase.Allocation or EncoderPhase.Embedding => 1,
        EncoderPhase.Residual => 2 * layers,
        EncoderPhase.LayerNorm => (2 * layers) + 1,
        _ => layers,
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

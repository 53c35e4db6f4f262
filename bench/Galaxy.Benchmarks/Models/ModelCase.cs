using System.Globalization;

namespace Galaxy.Benchmarks.Models;

/// <summary>One end-to-end case: a batch of one sequence of <paramref name="Sequence"/> tokens on <paramref name="Threads"/> threads per side.</summary>
/// <param name="Sequence">Tokens in the sequence, [CLS] and [SEP] included.</param>
/// <param name="Threads">Compute threads on each side, the caller included.</param>
public readonly record struct ModelCase(int Sequence, int Threads)
{
    /// <summary>The sequence lengths measured by default: a typical sentence batch and the model's longest input.</summary>
    public static IReadOnlyList<int> DefaultSequences { get; } = [128, 512];

    /// <summary>Every sequence length at every thread count, sequences outermost.</summary>
    public static IReadOnlyList<ModelCase> Cross(IReadOnlyList<int> sequences, IReadOnlyList<int> threads)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(threads);
        return [.. sequences.SelectMany(sequence => threads.Select(count => new ModelCase(sequence, count)))];
    }

    /// <summary>The name BenchmarkDotNet and the progress lines show, e.g. <c>S128 t2</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"S{Sequence} t{Threads}");
}

using System.Globalization;

namespace Galaxy.Benchmarks.Gemm;

/// <summary>The sizes of one matrix product <c>C (M,N) = A (M,K) · B (K,N)</c>.</summary>
/// <param name="M">Rows of A and C (tokens in a batch).</param>
/// <param name="N">Columns of B and C (output features).</param>
/// <param name="K">Columns of A, rows of B (input features).</param>
public readonly record struct GemmShape(int M, int N, int K)
{
    /// <summary>
    /// The projections of a BERT-base-sized layer (768 wide, 3072 FFN) and a MiniLM-sized one
    /// (384 wide, 1536 FFN) on a 128-token batch, plus one larger square-ish product.
    /// </summary>
    public static IReadOnlyList<GemmShape> ModelShapes { get; } =
    [
        new(128, 768, 768),
        new(128, 3072, 768),
        new(128, 768, 3072),
        new(128, 384, 384),
        new(128, 1536, 384),
        new(512, 1024, 1024),
    ];

    /// <summary>Floating-point operations of one product: 2·M·N·K (a multiply and an add per term).</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>Parses <c>MxNxK</c>, e.g. <c>128x768x3072</c>.</summary>
    public static bool TryParse(string text, out GemmShape shape)
    {
        shape = default;
        var parts = text.Trim().Split('x', 'X');
        if (parts.Length != 3)
        {
            return false;
        }

        Span<int> sizes = stackalloc int[3];
        for (var i = 0; i < 3; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1 || sizes[i] > 65536)
            {
                return false;
            }
        }

        shape = new GemmShape(sizes[0], sizes[1], sizes[2]);
        return true;
    }

    /// <summary><c>MxNxK</c>, the form <see cref="TryParse"/> reads (and the name BenchmarkDotNet shows).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{M}x{N}x{K}");
}

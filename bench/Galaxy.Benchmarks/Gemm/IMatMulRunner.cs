namespace Galaxy.Benchmarks.Gemm;

/// <summary>
/// One implementation of <c>C (M,N) = A (M,K) · B (K,N)</c> set up for repeated calls: inputs,
/// output and threads are allocated once, so <see cref="Run"/> measures only the product.
/// </summary>
public interface IMatMulRunner : IDisposable
{
    /// <summary>Short name for tables and errors.</summary>
    string Name { get; }

    /// <summary>Computes the product into <see cref="Output"/>.</summary>
    void Run();

    /// <summary>C (M,N), row-major, as of the last <see cref="Run"/>.</summary>
    ReadOnlySpan<float> Output { get; }
}

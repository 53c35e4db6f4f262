namespace Galaxy.Benchmarks;

/// <summary>
/// One implementation of a kernel (a GEMM, a layer norm, attention, …) set up for repeated calls:
/// inputs, output and threads are allocated once, so <see cref="Run"/> measures only the kernel.
/// </summary>
public interface IKernelRunner : IDisposable
{
    /// <summary>Short name for tables and errors.</summary>
    string Name { get; }

    /// <summary>Computes the kernel into <see cref="Output"/>.</summary>
    void Run();

    /// <summary>The result, row-major, as of the last <see cref="Run"/>.</summary>
    ReadOnlySpan<float> Output { get; }
}

using Galaxy.Kernels.Gemm;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Gemm;

/// <summary>Galaxy's SGEMM on B packed once: <c>C = A · packed(B)</c> on a given compute pool.</summary>
public sealed class GalaxyMatMul : IKernelRunner
{
    private readonly float[] _a;
    private readonly float[] _c;
    private readonly PackedMatrix _b;
    private readonly KernelThreads _threads;

    /// <param name="operands">A and B; B is packed here, as at model load.</param>
    /// <param name="threads">The pool to run on; not owned (one pool serves many products).</param>
    /// <param name="kernel">Force a micro-kernel, or null for the best one this machine runs.</param>
    public GalaxyMatMul(GemmOperands operands, KernelThreads threads, GemmKernelKind? kernel = null)
    {
        ArgumentNullException.ThrowIfNull(operands);
        ArgumentNullException.ThrowIfNull(threads);
        _a = operands.A;
        _b = PackedMatrix.Pack(operands.B, operands.Shape.K, operands.Shape.N, kernel);
        _c = new float[operands.Shape.M * operands.Shape.N];
        _threads = threads;
    }

    public string Name => "galaxy";

    /// <summary>The micro-kernel B was packed for, i.e. the one that runs.</summary>
    public GemmKernelKind Kernel => _b.Kernel;

    public ReadOnlySpan<float> Output => _c;

    public void Run() => Sgemm.Multiply(_a, _b, _c, threads: _threads);

    /// <summary>Nothing to release: the pool belongs to the caller and the buffers are managed.</summary>
    public void Dispose()
    {
    }
}

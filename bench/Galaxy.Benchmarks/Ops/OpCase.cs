using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Ops;

/// <summary>
/// One transformer op at one shape and thread count, with seeded inputs that Galaxy's kernel and the
/// ONNX Runtime anchor both read.
/// </summary>
/// <param name="op">Short op name for tables and JSON, e.g. <c>layernorm</c>.</param>
/// <param name="shape">The shape as printed, e.g. <c>128x768</c>.</param>
/// <param name="threads">Compute threads on each side, the caller included; 1 for ops Galaxy runs on one thread.</param>
public abstract class OpCase(string op, string shape, int threads)
{
    public string Op { get; } = op;

    public string Shape { get; } = shape;

    public int Threads { get; } = threads;

    /// <summary>Galaxy's kernel on this case's inputs.</summary>
    /// <param name="pool">A pool of <see cref="Threads"/> threads; not owned, and unused by single-threaded ops.</param>
    public abstract IKernelRunner CreateGalaxy(KernelThreads pool);

    /// <summary>ONNX Runtime's one-node counterpart at <see cref="Threads"/> intra-op threads.</summary>
    public abstract IKernelRunner CreateAnchor();

    /// <summary>The name BenchmarkDotNet shows for the case.</summary>
    public override string ToString() => $"{Op} {Shape} t{Threads}";
}

using BenchmarkDotNet.Attributes;
using Galaxy.Benchmarks.Gemm;
using Galaxy.Benchmarks.Onnx;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Suites;

/// <summary>
/// <c>C (M,N) = A (M,K) · B (K,N)</c> with B constant: Galaxy's packed SGEMM against ONNX Runtime's
/// MatMul (the baseline), per model shape and thread count.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks : IDisposable
{
    private KernelThreads? _pool;
    private GalaxyMatMul? _galaxy;
    private OrtSingleNodeRunner? _anchor;

    public static IEnumerable<GemmShape> Shapes => GemmShape.ModelShapes;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var operands = GemmOperands.Create(Shape);
        _pool = new KernelThreads(Threads);
        _galaxy = new GalaxyMatMul(operands, _pool);
        _anchor = OrtMatMul.Create(operands, Threads);

        _galaxy.Run();
        _anchor.Run();
        var error = OutputAgreement.WorstRelativeError(_galaxy.Output, _anchor.Output);
        if (!(error <= OutputAgreement.Tolerance))
        {
            throw new InvalidOperationException($"Galaxy and ONNX Runtime disagree on {Shape}: relative error {error:G3} exceeds {OutputAgreement.Tolerance:G3}.");
        }
    }

    [Benchmark]
    public void GalaxySgemm() => _galaxy!.Run();

    [Benchmark(Baseline = true)]
    public void OnnxRuntimeMatMul() => _anchor!.Run();

    [GlobalCleanup]
    public void Dispose()
    {
        _anchor?.Dispose();
        _galaxy?.Dispose();
        _pool?.Dispose();

        _anchor = null;
        _galaxy = null;
        _pool = null;
        GC.SuppressFinalize(this);
    }
}

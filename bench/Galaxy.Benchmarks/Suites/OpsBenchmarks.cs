using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using Galaxy.Benchmarks.Ops;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Suites;

/// <summary>
/// Galaxy's LayerNorm, GELU (erf and tanh), softmax and attention (plain and causal) against ONNX Runtime
/// one-node models (the baseline), per model shape. Attention runs at 1 and 2 threads on both sides;
/// the other ops are single-threaded in Galaxy, so ORT runs them at <c>IntraOpNumThreads = 1</c>.
/// </summary>
/// <remarks>
/// A case names op, shape and thread count (<c>attention S128 H12 d64 t2</c>), since threads only vary
/// for attention and BenchmarkDotNet would otherwise cross every op with every thread count.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(WideCaseNames))]
public class OpsBenchmarks : IDisposable
{
    private KernelThreads? _pool;
    private IKernelRunner? _galaxy;
    private IKernelRunner? _anchor;

    public static IEnumerable<OpCase> Cases => OpSuite.Create(attentionThreads: [1, 2]);

    [ParamsSource(nameof(Cases))]
    public OpCase Case { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new KernelThreads(Case.Threads);
        _galaxy = Case.CreateGalaxy(_pool);
        _anchor = Case.CreateAnchor();

        _galaxy.Run();
        _anchor.Run();
        var error = OutputAgreement.WorstAbsoluteError(_galaxy.Output, _anchor.Output);
        if (!(error <= OutputAgreement.AbsoluteTolerance))
        {
            throw new InvalidOperationException($"Galaxy and ONNX Runtime disagree on {Case}: absolute error {error:G3} exceeds {OutputAgreement.AbsoluteTolerance:G3}.");
        }
    }

    [Benchmark]
    public void GalaxyOp() => _galaxy!.Run();

    [Benchmark(Baseline = true)]
    public void OnnxRuntimeOp() => _anchor!.Run();

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

    /// <summary>Keeps case names such as <c>attention-causal S256 H16 d64 t2</c> whole in the summary (the default cuts at 20 characters).</summary>
    private sealed class WideCaseNames : ManualConfig
    {
        public WideCaseNames() => SummaryStyle = SummaryStyle.Default.WithMaxParameterColumnWidth(40);
    }
}

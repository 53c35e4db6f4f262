using BenchmarkDotNet.Attributes;
using Galaxy.Benchmarks.Models;
using Galaxy.Benchmarks.Onnx;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Suites;

/// <summary>
/// all-MiniLM-L6-v2 end to end, token ids to last hidden state (tokenization excluded): Galaxy's encoder against
/// ONNX Runtime on the original ONNX file (the baseline), per sequence length and thread count (both sides alike).
/// </summary>
/// <remarks>
/// Each case loads the model in its own process (BenchmarkDotNet runs a process per case); the extracted and
/// converted files come from the shared cache (<see cref="MiniLmCache"/>). The memory diagnoser shows Galaxy's
/// per-forward activation allocations against ORT's pre-bound run.
/// </remarks>
[MemoryDiagnoser]
public class ModelBenchmarks : IDisposable
{
    private KernelThreads? _pool;
    private GalaxyEncoderRunner? _galaxy;
    private OrtEncoderRunner? _anchor;

    public static IEnumerable<ModelCase> Cases => ModelCase.Cross(ModelCase.DefaultSequences, [1, 2]);

    [ParamsSource(nameof(Cases))]
    public ModelCase Case { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var workload = MiniLmWorkload.Load();
        _pool = new KernelThreads(Case.Threads);
        _galaxy = workload.CreateGalaxy(Case, _pool);
        _anchor = workload.CreateAnchor(Case);

        _galaxy.Run();
        _anchor.Run();
        var error = OutputAgreement.WorstAbsoluteError(_galaxy.Output, _anchor.Output);
        if (!(error <= OutputAgreement.AbsoluteTolerance))
        {
            throw new InvalidOperationException($"Galaxy and ONNX Runtime disagree on {Case}: last_hidden_state max abs error {error:G3} exceeds {OutputAgreement.AbsoluteTolerance:G3}.");
        }
    }

    [Benchmark]
    public void GalaxyEncoder() => _galaxy!.Run();

    [Benchmark(Baseline = true)]
    public void OnnxRuntimeModel() => _anchor!.Run();

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

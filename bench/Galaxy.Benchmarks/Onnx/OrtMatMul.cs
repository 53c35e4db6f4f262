using Galaxy.Benchmarks.Gemm;
using Microsoft.ML.OnnxRuntime;

namespace Galaxy.Benchmarks.Onnx;

/// <summary>
/// The anchor: ONNX Runtime's CPU MatMul on the one-node model of <see cref="OnnxMatMulModel"/>,
/// with X and Y bound once to pinned arrays so a run allocates nothing and copies nothing.
/// </summary>
/// <remarks>
/// B is a constant initializer, so ORT pre-packs it at session creation just as Galaxy packs it
/// once; both sides are then measured on the product alone.
/// </remarks>
public sealed class OrtMatMul : IMatMulRunner
{
    private readonly float[] _y;
    private readonly InferenceSession _session;
    private readonly OrtValue _input;
    private readonly OrtValue _output;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();

    /// <param name="operands">A (bound as X) and B (baked into the model).</param>
    /// <param name="threads">Intra-op threads, the calling thread included (as for Galaxy's pool).</param>
    public OrtMatMul(GemmOperands operands, int threads)
    {
        ArgumentNullException.ThrowIfNull(operands);
        var shape = operands.Shape;
        var model = OnnxMatMulModel.Build(operands.B, shape.M, shape.K, shape.N);
        using var options = OrtSessionSettings.Create(threads);
        _session = new InferenceSession(model, options);

        _y = new float[shape.M * shape.N];
        _input = OrtValue.CreateTensorValueFromMemory(operands.A, [shape.M, shape.K]);
        _output = OrtValue.CreateTensorValueFromMemory(_y, [shape.M, shape.N]);
        _binding = _session.CreateIoBinding();
        _binding.BindInput(OnnxMatMulModel.InputName, _input);
        _binding.BindOutput(OnnxMatMulModel.OutputName, _output);
    }

    public string Name => "onnxruntime";

    public ReadOnlySpan<float> Output => _y;

    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    public void Dispose()
    {
        _binding.Dispose();
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}

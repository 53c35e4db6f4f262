using Microsoft.ML.OnnxRuntime;

namespace Galaxy.Benchmarks.Onnx;

/// <summary>
/// The anchor: ONNX Runtime's CPU provider on a <see cref="OnnxSingleNodeModel"/>, with every input and the
/// output bound once to pinned arrays, so a run allocates nothing on the managed side and copies nothing.
/// </summary>
/// <remarks>
/// Initializers are constants of the session, so ORT prepares them (e.g. pre-packs a MatMul weight) at
/// session creation, just as Galaxy prepares its weights once; each run then measures the op alone,
/// plus ORT's fixed cost of one <c>Run</c> call.
/// </remarks>
public sealed class OrtSingleNodeRunner : IKernelRunner
{
    private readonly float[] _output;
    private readonly InferenceSession _session;
    private readonly OrtValue[] _inputs;
    private readonly OrtValue _outputValue;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();

    /// <param name="model">The one-node model; its graph inputs are bound to <paramref name="inputs"/>.</param>
    /// <param name="inputs">One array per graph input, in order, each exactly as long as its shape; read, never written.</param>
    /// <param name="threads">Intra-op threads, the calling thread included (as for Galaxy's pool).</param>
    public OrtSingleNodeRunner(OnnxSingleNodeModel model, IReadOnlyList<float[]> inputs, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != model.Inputs.Count)
        {
            throw new ArgumentException($"The model has {model.Inputs.Count} inputs but {inputs.Count} arrays were given.", nameof(inputs));
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Length != model.Inputs[i].ElementCount)
            {
                throw new ArgumentException(
                    $"Input {model.Inputs[i].Name} holds {model.Inputs[i].ElementCount} values but its array has {inputs[i].Length}.",
                    nameof(inputs));
            }
        }

        using (var options = OrtSessionSettings.Create(threads))
        {
            _session = new InferenceSession(model.ToBytes(), options);
        }

        _output = new float[model.Output.ElementCount];
        _inputs = new OrtValue[inputs.Count];
        _binding = _session.CreateIoBinding();
        for (var i = 0; i < inputs.Count; i++)
        {
            _inputs[i] = OrtValue.CreateTensorValueFromMemory(inputs[i], [.. model.Inputs[i].Dims]);
            _binding.BindInput(model.Inputs[i].Name, _inputs[i]);
        }

        _outputValue = OrtValue.CreateTensorValueFromMemory(_output, [.. model.Output.Dims]);
        _binding.BindOutput(model.Output.Name, _outputValue);
    }

    public string Name => "onnxruntime";

    public ReadOnlySpan<float> Output => _output;

    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    public void Dispose()
    {
        _binding.Dispose();
        foreach (var input in _inputs)
        {
            input.Dispose();
        }

        _outputValue.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}

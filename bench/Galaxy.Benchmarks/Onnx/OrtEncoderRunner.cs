using Microsoft.ML.OnnxRuntime;

namespace Galaxy.Benchmarks.Onnx;

/// <summary>
/// The anchor for a whole model: ONNX Runtime's CPU provider on a BERT-style encoder exported to ONNX
/// (inputs <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>, int64 [batch, seq]), with the
/// inputs and every output bound once to pinned arrays, so a run allocates nothing on the managed side.
/// </summary>
/// <remarks>
/// The session is built with <see cref="OrtSessionSettings"/> (graph optimisation <c>ORT_ENABLE_ALL</c>, which
/// fuses the graph into ORT's Attention, SkipLayerNormalization, BiasGelu … kernels), once, outside the timing.
/// Outputs the benchmark does not compare (the BERT pooler) are bound too, so ORT writes them into
/// preallocated memory instead of allocating per run.
/// </remarks>
public sealed class OrtEncoderRunner : IKernelRunner
{
    /// <summary>The output compared with Galaxy's encoder.</summary>
    public const string LastHiddenStateName = "last_hidden_state";

    private readonly InferenceSession _session;
    private readonly List<OrtValue> _values = [];
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _lastHiddenState;

    /// <param name="onnxPath">The ONNX file.</param>
    /// <param name="tokenIds">One sequence of ids (batch 1); the attention mask is all ones and the token types all zero.</param>
    /// <param name="threads">Intra-op threads, the calling thread included (as for Galaxy's pool).</param>
    /// <param name="configure">Changes to the <see cref="OrtSessionSettings"/> options before the session is built (e.g. profiling on), or null.</param>
    public OrtEncoderRunner(string onnxPath, int[] tokenIds, int threads, Action<SessionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(onnxPath);
        ArgumentNullException.ThrowIfNull(tokenIds);
        var sequence = tokenIds.Length;
        using (var options = OrtSessionSettings.Create(threads))
        {
            configure?.Invoke(options);
            _session = new InferenceSession(onnxPath, options);
        }

        _binding = _session.CreateIoBinding();
        long[] inputShape = [1, sequence];
        BindInput("input_ids", [.. tokenIds.Select(id => (long)id)], inputShape);
        BindInput("attention_mask", Enumerable.Repeat(1L, sequence).ToArray(), inputShape);
        BindInput("token_type_ids", new long[sequence], inputShape);

        _lastHiddenState = [];
        foreach (var (name, metadata) in _session.OutputMetadata)
        {
            // Symbolic dimensions: the first is the batch (1), any other is the sequence.
            long[] shape = [.. metadata.Dimensions.Select((size, axis) => size >= 0 ? size : axis == 0 ? 1L : sequence)];
            var buffer = new float[shape.Aggregate(1L, (product, size) => product * size)];
            var value = OrtValue.CreateTensorValueFromMemory(buffer, shape);
            _values.Add(value);
            _binding.BindOutput(name, value);
            if (name == LastHiddenStateName)
            {
                _lastHiddenState = buffer;
            }
        }

        if (_lastHiddenState.Length == 0)
        {
            throw new InvalidDataException($"'{onnxPath}' has no output named {LastHiddenStateName}.");
        }
    }

    public string Name => "onnxruntime";

    /// <summary>last_hidden_state (seq, H) of the latest run.</summary>
    public ReadOnlySpan<float> Output => _lastHiddenState;

    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    /// <summary>Ends ORT's profiling, when the session options turned it on, and returns the trace file's path.</summary>
    public string EndProfiling() => _session.EndProfiling();

    public void Dispose()
    {
        _binding.Dispose();
        foreach (var value in _values)
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    private void BindInput(string name, long[] values, long[] shape)
    {
        var value = OrtValue.CreateTensorValueFromMemory(values, shape);
        _values.Add(value);
        _binding.BindInput(name, value);
    }
}

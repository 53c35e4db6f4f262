using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Models;

/// <summary>
/// Galaxy's side of a model case: <see cref="Encoder.Forward"/> on fixed token ids (batch 1, token types 0,
/// no padding mask), token ids to last hidden state. Forward allocates its activations and its result on
/// every call, and that cost is part of what is measured.
/// </summary>
public sealed class GalaxyEncoderRunner : IKernelRunner
{
    private readonly Encoder _encoder;
    private readonly int[] _tokenIds;
    private float[] _output = [];

    /// <param name="weights">The loaded model.</param>
    /// <param name="tokenIds">One sequence of ids; read, never written.</param>
    /// <param name="pool">The encoder's compute threads; not owned.</param>
    public GalaxyEncoderRunner(TransformerWeights weights, int[] tokenIds, KernelThreads pool)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        _encoder = new Encoder(weights, pool);
        _tokenIds = tokenIds;
    }

    public string Name => "galaxy";

    /// <summary>last_hidden_state (seq, H) of the latest run.</summary>
    public ReadOnlySpan<float> Output => _output;

    public void Run() => _output = _encoder.Forward(_tokenIds, default, default, batch: 1);

    /// <summary>Nothing to release: the weights and the pool belong to the caller.</summary>
    public void Dispose()
    {
    }
}

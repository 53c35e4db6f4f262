using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Grains.Tests;

/// <summary>The oracle: MiniLM on one device (the whole model, <see cref="Encoder"/> + <see cref="Encoder.MeanPool"/>).</summary>
internal sealed class SingleDeviceReference : IDisposable
{
    private readonly LocalModel _model;
    private readonly KernelThreads _threads = new(1);
    private readonly Lock _lock = new();

    public SingleDeviceReference(string directory) => _model = LocalModel.Load(directory);

    public ModelTokenizer Tokenizer => _model.Tokenizer;

    public float[] Hidden(int[] ids)
    {
        lock (_lock)
        {
            return new Encoder(_model.Weights, _threads).Forward(ids, default, default);
        }
    }

    public float[] Embed(string text) => Encoder.MeanPool(Hidden(_model.Tokenizer.Encode(text)), default, 1, _model.Config.HiddenSize);

    public void Dispose() => _threads.Dispose();
}

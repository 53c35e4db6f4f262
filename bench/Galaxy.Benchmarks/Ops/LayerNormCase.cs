using System.Globalization;
using Galaxy.Benchmarks.Onnx;
using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Ops;

/// <summary>
/// <c>Y (R,N) = LayerNorm(X (R,N); γ (N), β (N), ε = 1e-5)</c> against ONNX <c>LayerNormalization</c>-17
/// with γ and β as initializers. Galaxy's kernel is single-threaded, so both sides run on one thread.
/// </summary>
public sealed class LayerNormCase : OpCase
{
    public const string OpName = "layernorm";

    private const float Epsilon = 1e-5f;

    private readonly int _rows;
    private readonly float[] _x;
    private readonly float[] _gamma;
    private readonly float[] _beta;

    public LayerNormCase(int rows, int width)
        : base(OpName, string.Create(CultureInfo.InvariantCulture, $"{rows}x{width}"), threads: 1)
    {
        var random = new Random((rows * 7919) + width);
        _rows = rows;
        _x = SeededValues.Uniform(random, rows * width, -2, 2);
        _gamma = SeededValues.Uniform(random, width, 0.5f, 1.5f);
        _beta = SeededValues.Uniform(random, width, -0.5f, 0.5f);
    }

    public override IKernelRunner CreateGalaxy(KernelThreads pool)
    {
        var y = new float[_x.Length];
        return new GalaxyOpRunner(y, () => LayerNorm.Apply(_x, _gamma, _beta, y, Epsilon));
    }

    public override IKernelRunner CreateAnchor() =>
        new OrtSingleNodeRunner(OnnxOpModels.LayerNormalization(_rows, _gamma, _beta, Epsilon), [_x], Threads);
}

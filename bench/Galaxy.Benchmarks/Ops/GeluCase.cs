using System.Globalization;
using Galaxy.Benchmarks.Onnx;
using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Ops;

/// <summary>
/// Element-wise GELU over an (R, N) activation, inputs uniform in [−5, 5) so both tails and the erf
/// clamp at |x/√2| = 4 are exercised, against ONNX <c>Gelu</c>-20 with the matching <c>approximate</c>.
/// Galaxy's kernel is single-threaded, so both sides run on one thread.
/// </summary>
public sealed class GeluCase : OpCase
{
    public const string ErfOpName = "gelu-erf";
    public const string TanhOpName = "gelu-tanh";

    private readonly int _rows;
    private readonly int _width;
    private readonly float[] _x;
    private readonly string _approximate;
    private readonly Action<float[], float[]> _kernel;

    private GeluCase(string op, int rows, int width, string approximate, Action<float[], float[]> kernel)
        : base(op, string.Create(CultureInfo.InvariantCulture, $"{rows}x{width}"), threads: 1)
    {
        _rows = rows;
        _width = width;
        _x = SeededValues.Uniform(new Random((rows * 7919) + width), rows * width, -5, 5);
        _approximate = approximate;
        _kernel = kernel;
    }

    /// <summary><see cref="Gelu.Erf"/> against <c>Gelu(approximate = "none")</c>.</summary>
    public static GeluCase Erf(int rows, int width) => new(ErfOpName, rows, width, "none", (x, y) => Gelu.Erf(x, y));

    /// <summary><see cref="Gelu.Tanh"/> against <c>Gelu(approximate = "tanh")</c>.</summary>
    public static GeluCase Tanh(int rows, int width) => new(TanhOpName, rows, width, "tanh", (x, y) => Gelu.Tanh(x, y));

    public override IKernelRunner CreateGalaxy(KernelThreads pool)
    {
        var y = new float[_x.Length];
        return new GalaxyOpRunner(y, () => _kernel(_x, y));
    }

    public override IKernelRunner CreateAnchor() =>
        new OrtSingleNodeRunner(OnnxOpModels.Gelu(_rows, _width, _approximate), [_x], Threads);
}

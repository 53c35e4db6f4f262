using System.Numerics;

namespace Galaxy.Kernels.Ops;

/// <summary>A float function applied lane by lane to a hardware-width vector.</summary>
internal interface IElementwiseFunction
{
    static abstract Vector<float> Invoke(Vector<float> x);
}

using System.Numerics;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.Ops;

/// <summary>A float function applied lane by lane to a vector, with the same formula at every width.</summary>
internal interface IElementwiseFunction
{
    static abstract Vector<float> Invoke(Vector<float> x);

    static abstract Vector512<float> Invoke(Vector512<float> x);
}

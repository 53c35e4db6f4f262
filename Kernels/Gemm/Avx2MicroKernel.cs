using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.Gemm;

/// <summary>The 6×16 SGEMM micro-kernel on 256-bit vectors (AVX2 + FMA): 12 ymm accumulators.</summary>
internal static class Avx2MicroKernel
{
    /// <summary>Rows of C one call computes.</summary>
    public const int Rows = 6;

    /// <summary>Columns of C one call computes: the packed panel width.</summary>
    public const int Columns = 16;

    /// <summary>True when this machine runs the kernel in hardware.</summary>
    public static bool IsSupported => Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported;

    /// <summary>Register-tiled 6×16 block: 12 accumulators, one broadcast of A and 2 loads of B per k.</summary>
    /// <remarks>C (6,16) = [C +] A (6,kc) · B (kc,16); A rows are <paramref name="lda"/> apart, B is one packed panel, C rows <paramref name="ldc"/> apart.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Multiply(float* a, nint lda, float* b, int kc, float* c, nint ldc, bool load)
    {
        Vector256<float> c00;
        Vector256<float> c01;
        Vector256<float> c10;
        Vector256<float> c11;
        Vector256<float> c20;
        Vector256<float> c21;
        Vector256<float> c30;
        Vector256<float> c31;
        Vector256<float> c40;
        Vector256<float> c41;
        Vector256<float> c50;
        Vector256<float> c51;
        if (load)
        {
            c00 = Vector256.Load(c + 0);
            c01 = Vector256.Load(c + 8);
            c10 = Vector256.Load(c + (ldc * 1) + 0);
            c11 = Vector256.Load(c + (ldc * 1) + 8);
            c20 = Vector256.Load(c + (ldc * 2) + 0);
            c21 = Vector256.Load(c + (ldc * 2) + 8);
            c30 = Vector256.Load(c + (ldc * 3) + 0);
            c31 = Vector256.Load(c + (ldc * 3) + 8);
            c40 = Vector256.Load(c + (ldc * 4) + 0);
            c41 = Vector256.Load(c + (ldc * 4) + 8);
            c50 = Vector256.Load(c + (ldc * 5) + 0);
            c51 = Vector256.Load(c + (ldc * 5) + 8);
        }
        else
        {
            c00 = Vector256<float>.Zero;
            c01 = Vector256<float>.Zero;
            c10 = Vector256<float>.Zero;
            c11 = Vector256<float>.Zero;
            c20 = Vector256<float>.Zero;
            c21 = Vector256<float>.Zero;
            c30 = Vector256<float>.Zero;
            c31 = Vector256<float>.Zero;
            c40 = Vector256<float>.Zero;
            c41 = Vector256<float>.Zero;
            c50 = Vector256<float>.Zero;
            c51 = Vector256<float>.Zero;
        }

        float* a0 = a;
        float* a1 = a + (lda * 1);
        float* a2 = a + (lda * 2);
        float* a3 = a + (lda * 3);
        float* a4 = a + (lda * 4);
        float* a5 = a + (lda * 5);
        for (var k = 0; k < kc; k++)
        {
            var b0 = Vector256.Load(b + 0);
            var b1 = Vector256.Load(b + 8);
            b += 16;
            var x0 = Vector256.Create(a0[k]);
            c00 = Vector256.FusedMultiplyAdd(x0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x0, b1, c01);
            var x1 = Vector256.Create(a1[k]);
            c10 = Vector256.FusedMultiplyAdd(x1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x1, b1, c11);
            var x2 = Vector256.Create(a2[k]);
            c20 = Vector256.FusedMultiplyAdd(x2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x2, b1, c21);
            var x3 = Vector256.Create(a3[k]);
            c30 = Vector256.FusedMultiplyAdd(x3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x3, b1, c31);
            var x4 = Vector256.Create(a4[k]);
            c40 = Vector256.FusedMultiplyAdd(x4, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(x4, b1, c41);
            var x5 = Vector256.Create(a5[k]);
            c50 = Vector256.FusedMultiplyAdd(x5, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(x5, b1, c51);
        }

        Vector256.Store(c00, c + 0);
        Vector256.Store(c01, c + 8);
        Vector256.Store(c10, c + (ldc * 1) + 0);
        Vector256.Store(c11, c + (ldc * 1) + 8);
        Vector256.Store(c20, c + (ldc * 2) + 0);
        Vector256.Store(c21, c + (ldc * 2) + 8);
        Vector256.Store(c30, c + (ldc * 3) + 0);
        Vector256.Store(c31, c + (ldc * 3) + 8);
        Vector256.Store(c40, c + (ldc * 4) + 0);
        Vector256.Store(c41, c + (ldc * 4) + 8);
        Vector256.Store(c50, c + (ldc * 5) + 0);
        Vector256.Store(c51, c + (ldc * 5) + 8);
    }

    /// <summary>One row: C (1,16) = [C +] A (1,kc) · B (kc,16); the same multiply-adds, in the same order, as a row of <see cref="Multiply"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void MultiplyRow(float* a, float* b, int kc, float* c, bool load)
    {
        var c0 = load ? Vector256.Load(c + 0) : Vector256<float>.Zero;
        var c1 = load ? Vector256.Load(c + 8) : Vector256<float>.Zero;
        for (var k = 0; k < kc; k++)
        {
            var x = Vector256.Create(a[k]);
            c0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b + 0), c0);
            c1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b + 8), c1);
            b += 16;
        }

        Vector256.Store(c0, c + 0);
        Vector256.Store(c1, c + 8);
    }
}

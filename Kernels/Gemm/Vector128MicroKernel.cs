using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.Gemm;

/// <summary>The portable 8×8 SGEMM micro-kernel on 128-bit vectors (ARM64 AdvSimd on edge boards; any CPU in software).</summary>
internal static class Vector128MicroKernel
{
    /// <summary>Rows of C one call computes.</summary>
    public const int Rows = 8;

    /// <summary>Columns of C one call computes: the packed panel width.</summary>
    public const int Columns = 8;

    /// <summary>True when this machine runs the kernel in hardware.</summary>
    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    /// <summary>Register-tiled 8×8 block: 16 accumulators, one broadcast of A and 2 loads of B per k.</summary>
    /// <remarks>C (8,8) = [C +] A (8,kc) · B (kc,8); A rows are <paramref name="lda"/> apart, B is one packed panel, C rows <paramref name="ldc"/> apart.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Multiply(float* a, nint lda, float* b, int kc, float* c, nint ldc, bool load)
    {
        Vector128<float> c00;
        Vector128<float> c01;
        Vector128<float> c10;
        Vector128<float> c11;
        Vector128<float> c20;
        Vector128<float> c21;
        Vector128<float> c30;
        Vector128<float> c31;
        Vector128<float> c40;
        Vector128<float> c41;
        Vector128<float> c50;
        Vector128<float> c51;
        Vector128<float> c60;
        Vector128<float> c61;
        Vector128<float> c70;
        Vector128<float> c71;
        if (load)
        {
            c00 = Vector128.Load(c + 0);
            c01 = Vector128.Load(c + 4);
            c10 = Vector128.Load(c + (ldc * 1) + 0);
            c11 = Vector128.Load(c + (ldc * 1) + 4);
            c20 = Vector128.Load(c + (ldc * 2) + 0);
            c21 = Vector128.Load(c + (ldc * 2) + 4);
            c30 = Vector128.Load(c + (ldc * 3) + 0);
            c31 = Vector128.Load(c + (ldc * 3) + 4);
            c40 = Vector128.Load(c + (ldc * 4) + 0);
            c41 = Vector128.Load(c + (ldc * 4) + 4);
            c50 = Vector128.Load(c + (ldc * 5) + 0);
            c51 = Vector128.Load(c + (ldc * 5) + 4);
            c60 = Vector128.Load(c + (ldc * 6) + 0);
            c61 = Vector128.Load(c + (ldc * 6) + 4);
            c70 = Vector128.Load(c + (ldc * 7) + 0);
            c71 = Vector128.Load(c + (ldc * 7) + 4);
        }
        else
        {
            c00 = Vector128<float>.Zero;
            c01 = Vector128<float>.Zero;
            c10 = Vector128<float>.Zero;
            c11 = Vector128<float>.Zero;
            c20 = Vector128<float>.Zero;
            c21 = Vector128<float>.Zero;
            c30 = Vector128<float>.Zero;
            c31 = Vector128<float>.Zero;
            c40 = Vector128<float>.Zero;
            c41 = Vector128<float>.Zero;
            c50 = Vector128<float>.Zero;
            c51 = Vector128<float>.Zero;
            c60 = Vector128<float>.Zero;
            c61 = Vector128<float>.Zero;
            c70 = Vector128<float>.Zero;
            c71 = Vector128<float>.Zero;
        }

        float* a0 = a;
        float* a1 = a + (lda * 1);
        float* a2 = a + (lda * 2);
        float* a3 = a + (lda * 3);
        float* a4 = a + (lda * 4);
        float* a5 = a + (lda * 5);
        float* a6 = a + (lda * 6);
        float* a7 = a + (lda * 7);
        for (var k = 0; k < kc; k++)
        {
            var b0 = Vector128.Load(b + 0);
            var b1 = Vector128.Load(b + 4);
            b += 8;
            var x0 = Vector128.Create(a0[k]);
            c00 = Vector128.FusedMultiplyAdd(x0, b0, c00);
            c01 = Vector128.FusedMultiplyAdd(x0, b1, c01);
            var x1 = Vector128.Create(a1[k]);
            c10 = Vector128.FusedMultiplyAdd(x1, b0, c10);
            c11 = Vector128.FusedMultiplyAdd(x1, b1, c11);
            var x2 = Vector128.Create(a2[k]);
            c20 = Vector128.FusedMultiplyAdd(x2, b0, c20);
            c21 = Vector128.FusedMultiplyAdd(x2, b1, c21);
            var x3 = Vector128.Create(a3[k]);
            c30 = Vector128.FusedMultiplyAdd(x3, b0, c30);
            c31 = Vector128.FusedMultiplyAdd(x3, b1, c31);
            var x4 = Vector128.Create(a4[k]);
            c40 = Vector128.FusedMultiplyAdd(x4, b0, c40);
            c41 = Vector128.FusedMultiplyAdd(x4, b1, c41);
            var x5 = Vector128.Create(a5[k]);
            c50 = Vector128.FusedMultiplyAdd(x5, b0, c50);
            c51 = Vector128.FusedMultiplyAdd(x5, b1, c51);
            var x6 = Vector128.Create(a6[k]);
            c60 = Vector128.FusedMultiplyAdd(x6, b0, c60);
            c61 = Vector128.FusedMultiplyAdd(x6, b1, c61);
            var x7 = Vector128.Create(a7[k]);
            c70 = Vector128.FusedMultiplyAdd(x7, b0, c70);
            c71 = Vector128.FusedMultiplyAdd(x7, b1, c71);
        }

        Vector128.Store(c00, c + 0);
        Vector128.Store(c01, c + 4);
        Vector128.Store(c10, c + (ldc * 1) + 0);
        Vector128.Store(c11, c + (ldc * 1) + 4);
        Vector128.Store(c20, c + (ldc * 2) + 0);
        Vector128.Store(c21, c + (ldc * 2) + 4);
        Vector128.Store(c30, c + (ldc * 3) + 0);
        Vector128.Store(c31, c + (ldc * 3) + 4);
        Vector128.Store(c40, c + (ldc * 4) + 0);
        Vector128.Store(c41, c + (ldc * 4) + 4);
        Vector128.Store(c50, c + (ldc * 5) + 0);
        Vector128.Store(c51, c + (ldc * 5) + 4);
        Vector128.Store(c60, c + (ldc * 6) + 0);
        Vector128.Store(c61, c + (ldc * 6) + 4);
        Vector128.Store(c70, c + (ldc * 7) + 0);
        Vector128.Store(c71, c + (ldc * 7) + 4);
    }

    /// <summary>One row: C (1,8) = [C +] A (1,kc) · B (kc,8); the same multiply-adds, in the same order, as a row of <see cref="Multiply"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void MultiplyRow(float* a, float* b, int kc, float* c, bool load)
    {
        var c0 = load ? Vector128.Load(c + 0) : Vector128<float>.Zero;
        var c1 = load ? Vector128.Load(c + 4) : Vector128<float>.Zero;
        for (var k = 0; k < kc; k++)
        {
            var x = Vector128.Create(a[k]);
            c0 = Vector128.FusedMultiplyAdd(x, Vector128.Load(b + 0), c0);
            c1 = Vector128.FusedMultiplyAdd(x, Vector128.Load(b + 4), c1);
            b += 8;
        }

        Vector128.Store(c0, c + 0);
        Vector128.Store(c1, c + 4);
    }
}

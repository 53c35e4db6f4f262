using Galaxy.Kernels.Gemm;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Tests.Gemm;

public sealed class SgemmTests : IDisposable
{
    // Inputs are uniform in [−1, 1), so each product term is at most 1 in magnitude and a
    // K-term fp32 dot product (with FMA) differs from the exact one by well under K·4ε.
    private const double ErrorPerTerm = 4 * 1.1920929e-7;

    private readonly KernelThreads _oneThread = new(1);
    private readonly KernelThreads _twoThreads = new(2);

    public static TheoryData<GemmKernelKind, int, int, int> OddShapes()
    {
        var data = new TheoryData<GemmKernelKind, int, int, int>();
        int[] sizes = [1, 2, 31, 32, 33];
        foreach (var kind in Enum.GetValues<GemmKernelKind>().Where(GemmKernels.IsSupported))
        {
            foreach (var m in sizes)
            {
                foreach (var n in sizes)
                {
                    data.Add(kind, m, n, 33);
                }

                data.Add(kind, m, 17, 1);
                data.Add(kind, m, 65, 2);
            }

            data.Add(kind, 7, 100, 600);   // K crosses a depth block unevenly
            data.Add(kind, 13, 49, 1100);  // three depth blocks, ragged tiles
        }

        return data;
    }

    public static TheoryData<GemmKernelKind, int, int, int> ModelShapes()
    {
        var data = new TheoryData<GemmKernelKind, int, int, int>();
        foreach (var kind in Enum.GetValues<GemmKernelKind>().Where(GemmKernels.IsSupported))
        {
            data.Add(kind, 128, 768, 768);
            data.Add(kind, 128, 1536, 384);
            data.Add(kind, 130, 384, 1536);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OddShapes))]
    [MemberData(nameof(ModelShapes))]
    public void Multiply_AnyShape_MatchesNaiveReference(GemmKernelKind kind, int m, int n, int k)
    {
        var a = TestData.Uniform(m * k, seed: 1);
        var b = TestData.Uniform(k * n, seed: 2);
        var packed = PackedMatrix.Pack(b, k, n, kind);
        var c = new float[m * n];

        Sgemm.Multiply(a, packed, c, threads: _twoThreads);

        var expected = NaiveGemm(a, b, m, n, k);
        Assert.True(TestData.MaxAbsDiff(expected, c) <= ErrorPerTerm * k, $"max |Δ| = {TestData.MaxAbsDiff(expected, c)}");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Multiply_BiasAndAccumulate_AddsEachExactlyOnce(bool withBias, bool accumulate)
    {
        const int m = 37, n = 45, k = 70;
        var a = TestData.Uniform(m * k, seed: 3);
        var b = TestData.Uniform(k * n, seed: 4);
        var bias = withBias ? TestData.Uniform(n, seed: 5) : [];
        var initial = TestData.Uniform(m * n, seed: 6);
        var c = (float[])initial.Clone();

        Sgemm.Multiply(a, PackedMatrix.Pack(b, k, n), c, bias, accumulate, _twoThreads);

        var expected = NaiveGemm(a, b, m, n, k);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                expected[(i * n) + j] += (withBias ? bias[j] : 0) + (accumulate ? initial[(i * n) + j] : 0);
            }
        }

        Assert.True(TestData.MaxAbsDiff(expected, c) <= (ErrorPerTerm * k) + 1e-6);
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void MultiplyRows_TilesCoveringC_AreIdenticalToFullCallAndWriteEachRowOnce(GemmKernelKind kind)
    {
        const int m = 101, n = 77, k = 530;
        var a = TestData.Uniform(m * k, seed: 7);
        var bias = TestData.Uniform(n, seed: 8);
        var packed = PackedMatrix.Pack(TestData.Uniform(k * n, seed: 9), k, n, kind);
        var full = new float[m * n];
        Sgemm.Multiply(a, packed, full, bias, threads: _twoThreads);

        // Uneven bands, including an empty one and single rows, as the overlap scheduler cuts them.
        int[] cuts = [0, 1, 9, 9, 40, 41, 88, 101];
        var tiled = new float[m * n];
        Array.Fill(tiled, float.NaN);
        for (var t = 0; t + 1 < cuts.Length; t++)
        {
            var band = tiled.AsSpan(cuts[t] * n, (cuts[t + 1] - cuts[t]) * n);
            Assert.True(band.ContainsAnyExcept(float.NaN) is false, "a band was written twice");
            Sgemm.MultiplyRows(a, packed, cuts[t], cuts[t + 1], band, bias, threads: _oneThread);
        }

        Assert.Equal(full, tiled);
    }

    [Fact]
    public void Multiply_OneAndTwoThreads_GiveIdenticalResults()
    {
        const int m = 96, n = 300, k = 257;
        var a = TestData.Uniform(m * k, seed: 10);
        var packed = PackedMatrix.Pack(TestData.Uniform(k * n, seed: 11), k, n);
        var one = new float[m * n];
        var two = new float[m * n];

        Sgemm.Multiply(a, packed, one, threads: _oneThread);
        Sgemm.Multiply(a, packed, two, threads: _twoThreads);

        Assert.Equal(one, two);
    }

    [Fact]
    public void Multiply_LargeTallMatrix_UsesSeveralRowBlocks()
    {
        const int m = 300, n = 40, k = 20;
        var a = TestData.Uniform(m * k, seed: 12);
        var b = TestData.Uniform(k * n, seed: 13);
        var c = new float[m * n];

        Sgemm.Multiply(a, PackedMatrix.Pack(b, k, n), c, threads: _twoThreads);

        Assert.True(TestData.MaxAbsDiff(NaiveGemm(a, b, m, n, k), c) <= ErrorPerTerm * k);
    }

    [Fact]
    public void Pack_Unpack_RoundTrips()
    {
        var b = TestData.Uniform(33 * 70, seed: 14);
        foreach (var kind in Enum.GetValues<GemmKernelKind>().Where(GemmKernels.IsSupported))
        {
            var packed = PackedMatrix.Pack(b, 33, 70, kind);
            Assert.Equal(b, packed.Unpack());
            Assert.Equal((70 + packed.PanelWidth - 1) / packed.PanelWidth, packed.PanelCount);
        }
    }

    [Fact]
    public void Pack_LengthNotRowsTimesColumns_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => PackedMatrix.Pack(new float[10], 3, 4));
        Assert.Contains("3×4", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => PackedMatrix.Pack([], 0, 4));
    }

    [Fact]
    public void Multiply_ALengthNotAMultipleOfK_Throws()
    {
        var packed = PackedMatrix.Pack(new float[4 * 3], 4, 3);
        var error = Assert.Throws<ArgumentException>(() => Sgemm.Multiply(new float[10], packed, new float[6]));
        Assert.Contains("K = 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multiply_DestinationWrongLength_Throws()
    {
        var packed = PackedMatrix.Pack(new float[4 * 3], 4, 3);
        var error = Assert.Throws<ArgumentException>(() => Sgemm.Multiply(new float[8], packed, new float[5]));
        Assert.Equal("destination", error.ParamName);
    }

    [Fact]
    public void Multiply_BiasWrongLength_Throws()
    {
        var packed = PackedMatrix.Pack(new float[4 * 3], 4, 3);
        var error = Assert.Throws<ArgumentException>(() => Sgemm.Multiply(new float[8], packed, new float[6], bias: new float[4]));
        Assert.Equal("bias", error.ParamName);
    }

    [Fact]
    public void Multiply_DestinationOverlapsInput_Throws()
    {
        var packed = PackedMatrix.Pack(new float[4 * 4], 4, 4);
        var buffer = new float[24];
        var error = Assert.Throws<ArgumentException>(() => Sgemm.Multiply(buffer.AsSpan(0, 8), packed, buffer.AsSpan(4, 8)));
        Assert.Contains("overlaps A", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Sgemm.Multiply(buffer.AsSpan(0, 8), packed, buffer.AsSpan(8, 8), bias: buffer.AsSpan(12, 4)));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(2, 1)]
    [InlineData(0, 3)]
    public void MultiplyRows_RangeOutsideA_Throws(int rowStart, int rowEnd)
    {
        var packed = PackedMatrix.Pack(new float[4 * 3], 4, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.MultiplyRows(new float[8], packed, rowStart, rowEnd, new float[3]));
    }

    [Fact]
    public void Pack_KernelNotSupportedHere_Throws()
    {
        foreach (var kind in Enum.GetValues<GemmKernelKind>().Where(kind => !GemmKernels.IsSupported(kind)))
        {
            Assert.Throws<ArgumentException>(() => PackedMatrix.Pack(new float[4], 2, 2, kind));
        }

        Assert.True(GemmKernels.IsSupported(GemmKernels.Best));
    }

    public static TheoryData<GemmKernelKind> SupportedKinds() => new(Enum.GetValues<GemmKernelKind>().Where(GemmKernels.IsSupported));

    public void Dispose()
    {
        _oneThread.Dispose();
        _twoThreads.Dispose();
    }

    private static float[] NaiveGemm(float[] a, float[] b, int m, int n, int k)
    {
        var c = new float[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = 0.0;
                for (var p = 0; p < k; p++)
                {
                    sum += (double)a[(i * k) + p] * b[(p * n) + j];
                }

                c[(i * n) + j] = (float)sum;
            }
        }

        return c;
    }
}

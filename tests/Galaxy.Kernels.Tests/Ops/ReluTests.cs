using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Tests.Ops;

public sealed class ReluTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(128 * 4096)]
    public void Apply_RandomInputs_EqualsMaxWithZero(int length)
    {
        var x = TestData.Uniform(length, seed: 21);
        var actual = new float[length];

        Relu.Apply(x, actual);

        // max(x, 0) is exact, so the result must match bit for bit.
        Assert.Equal(x.Select(v => v > 0 ? v : 0f), actual);
    }

    [Fact]
    public void Apply_InPlace_EqualsOutOfPlace()
    {
        var x = TestData.Uniform(37, seed: 22);
        var expected = new float[x.Length];
        Relu.Apply(x, expected);

        Relu.Apply(x, x);

        Assert.Equal(expected, x);
    }

    [Fact]
    public void Apply_DestinationLengthDiffers_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Relu.Apply(new float[4], new float[3]));
        Assert.Equal("destination", ex.ParamName);
        Assert.Contains("3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_PartialOverlap_Throws()
    {
        var buffer = new float[8];
        var ex = Assert.Throws<ArgumentException>(() => Relu.Apply(buffer.AsSpan(0, 4), buffer.AsSpan(2, 4)));
        Assert.Contains("partially overlaps", ex.Message, StringComparison.Ordinal);
    }
}

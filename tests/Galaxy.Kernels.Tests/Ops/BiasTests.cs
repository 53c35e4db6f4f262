using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Tests.Ops;

public sealed class BiasTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(3, 31)]
    [InlineData(3, 32)]
    [InlineData(3, 33)]
    [InlineData(128, 384)]
    [InlineData(128, 3072)]
    public void Add_RandomRows_AddsBiasToEveryRow(int rows, int columns)
    {
        var x = TestData.Uniform(rows * columns, seed: 41);
        var bias = TestData.Uniform(columns, seed: 42);
        var actual = new float[x.Length];

        Bias.Add(x, bias, actual);

        // One correctly rounded float add per element: bit-identical to the scalar sum.
        var expected = x.Select((v, i) => v + bias[i % columns]);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Add_InPlace_EqualsOutOfPlace()
    {
        var x = TestData.Uniform(5 * 9, seed: 43);
        var bias = TestData.Uniform(9, seed: 44);
        var expected = new float[x.Length];
        Bias.Add(x, bias, expected);

        Bias.Add(x, bias, x);

        Assert.Equal(expected, x);
    }

    [Fact]
    public void Add_LengthNotMultipleOfBias_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Bias.Add(new float[10], new float[3], new float[10]));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("10", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_EmptyBias_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Bias.Add(new float[4], [], new float[4]));
        Assert.Contains("must be positive", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_DestinationLengthDiffers_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Bias.Add(new float[6], new float[3], new float[3]));
        Assert.Equal("destination", ex.ParamName);
    }

    [Fact]
    public void Add_DestinationOverlapsBias_Throws()
    {
        var buffer = new float[8];
        var ex = Assert.Throws<ArgumentException>(() => Bias.Add(new float[6], buffer.AsSpan(0, 3), buffer.AsSpan(2, 6)));
        Assert.Contains("overlaps bias", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_DestinationPartiallyOverlapsX_Throws()
    {
        var buffer = new float[12];
        var ex = Assert.Throws<ArgumentException>(() => Bias.Add(buffer.AsSpan(0, 6), new float[3], buffer.AsSpan(3, 6)));
        Assert.Contains("partially overlaps x", ex.Message, StringComparison.Ordinal);
    }
}

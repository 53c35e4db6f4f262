using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Tests.Ops;

public sealed class ResidualTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(128 * 768)]
    public void Add_RandomInputs_EqualsElementSum(int length)
    {
        var x = TestData.Uniform(length, seed: 31);
        var residual = TestData.Uniform(length, seed: 32);
        var actual = new float[length];

        Residual.Add(x, residual, actual);

        // One correctly rounded float add per element: bit-identical to the scalar sum.
        Assert.Equal(x.Zip(residual, (a, b) => a + b), actual);
    }

    [Fact]
    public void Add_InPlaceOverEitherInput_EqualsOutOfPlace()
    {
        var x = TestData.Uniform(40, seed: 33);
        var residual = TestData.Uniform(40, seed: 34);
        var expected = new float[x.Length];
        Residual.Add(x, residual, expected);
        var overX = (float[])x.Clone();
        var overResidual = (float[])residual.Clone();

        Residual.Add(overX, residual, overX);
        Residual.Add(x, overResidual, overResidual);

        Assert.Equal(expected, overX);
        Assert.Equal(expected, overResidual);
    }

    [Fact]
    public void Add_ResidualLengthDiffers_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Residual.Add(new float[6], new float[5], new float[6]));
        Assert.Equal("residual", ex.ParamName);
        Assert.Contains("5", ex.Message, StringComparison.Ordinal);
        Assert.Contains("6", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_DestinationLengthDiffers_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Residual.Add(new float[6], new float[6], new float[7]));
        Assert.Equal("destination", ex.ParamName);
        Assert.Contains("7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_DestinationPartiallyOverlapsResidual_Throws()
    {
        var buffer = new float[12];
        var ex = Assert.Throws<ArgumentException>(() => Residual.Add(new float[6], buffer.AsSpan(0, 6), buffer.AsSpan(3, 6)));
        Assert.Contains("residual", ex.Message, StringComparison.Ordinal);
    }
}

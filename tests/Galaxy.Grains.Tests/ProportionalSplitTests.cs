using Galaxy.Grains.Planning;

namespace Galaxy.Grains.Tests;

/// <summary>Largest-remainder splits: proportional within rounding, exact sums, zero weights get nothing.</summary>
public sealed class ProportionalSplitTests
{
    [Theory]
    [InlineData(12)]
    [InlineData(1536)]
    [InlineData(128)]
    [InlineData(7)]
    public void Split_OneToThree_QuarterAndThreeQuartersWithinOne(int total)
    {
        var parts = ProportionalSplit.Split(total, [1.0, 3.0]);

        Assert.Equal(total, parts.Sum());
        Assert.InRange(parts[0], (int)Math.Floor(total / 4.0), (int)Math.Ceiling(total / 4.0));
        Assert.InRange(parts[1], (int)Math.Floor(total * 3 / 4.0), (int)Math.Ceiling(total * 3 / 4.0));
    }

    [Fact]
    public void Split_OneToThreeOfTwelve_IsThreeAndNine()
    {
        Assert.Equal([3, 9], ProportionalSplit.Split(12, [1.0, 3.0]));
    }

    [Fact]
    public void Split_LargestRemaindersGetTheMissingUnits()
    {
        // 10 × (0.2, 0.34, 0.46) = 2, 3.4, 4.6: floors 2, 3, 4 leave one unit, to the largest remainder (.6).
        Assert.Equal([2, 3, 5], ProportionalSplit.Split(10, [0.2, 0.34, 0.46]));

        // 3 × (½, ½) = 1.5, 1.5: an exact tie goes to the lower index.
        Assert.Equal([2, 1], ProportionalSplit.Split(3, [1.0, 1.0]));

        // 12 × (0.1, 0.25, 0.65) = 1.2, 3, 7.8: floors 1, 3, 7 leave one unit, to the largest remainder (.8).
        Assert.Equal([1, 3, 8], ProportionalSplit.Split(12, [0.1, 0.25, 0.65]));
    }

    [Fact]
    public void Split_RandomWeights_SumsExactAndEachPartWithinOneOfItsQuota()
    {
        var random = new Random(5);
        for (var round = 0; round < 500; round++)
        {
            var count = random.Next(1, 17);
            var weights = Enumerable.Range(0, count).Select(_ => random.Next(4) == 0 ? 0 : random.NextDouble() * 20).ToArray();
            var total = random.Next(0, 5000);

            var parts = ProportionalSplit.Split(total, weights);

            Assert.Equal(total, parts.Sum());
            var sum = weights.Sum();
            for (var i = 0; i < count; i++)
            {
                var quota = sum > 0 ? total * weights[i] / sum : (double)total / count;
                Assert.True(Math.Abs(parts[i] - quota) < 1.0 + 1e-9, $"round {round}: part {i} = {parts[i]}, quota {quota:F3}");
                if (sum > 0 && weights[i] == 0)
                {
                    Assert.Equal(0, parts[i]);
                }
            }
        }
    }

    [Fact]
    public void Split_ZeroWeight_GetsNothingEvenWhenUnitsAreLeft()
    {
        Assert.Equal([0, 1, 1], ProportionalSplit.Split(2, [0.0, 1.0, 1.0]));
        Assert.Equal([5, 0], ProportionalSplit.Split(5, [1e-9, 0.0]));
    }

    [Fact]
    public void Split_AllZero_EvenWithRemaindersFirst()
    {
        Assert.Equal([4, 4, 4], ProportionalSplit.Split(12, [0.0, 0.0, 0.0]));
        Assert.Equal([2, 2, 1], ProportionalSplit.Split(5, [0.0, 0.0, 0.0]));
    }

    [Fact]
    public void Split_HugeAndTinyWeights_NoOverflow()
    {
        Assert.Equal([6, 6], ProportionalSplit.Split(12, [double.MaxValue, double.MaxValue]));
        Assert.Equal([1, 11], ProportionalSplit.Split(12, [double.Epsilon, 11 * double.Epsilon]));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1.0)]
    public void Split_BadWeight_ClearError(double bad)
    {
        var error = Assert.Throws<ArgumentException>(() => ProportionalSplit.Split(12, [1.0, bad]));

        Assert.Contains("Weight 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_NoWeightsOrNegativeTotal_ClearError()
    {
        Assert.Throws<ArgumentException>(() => ProportionalSplit.Split(12, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProportionalSplit.Split(-1, [1.0]));
    }
}

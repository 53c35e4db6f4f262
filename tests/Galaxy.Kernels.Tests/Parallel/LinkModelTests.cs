using Galaxy.Kernels.Parallel;

namespace Galaxy.Kernels.Tests.Parallel;

public sealed class LinkModelTests
{
    [Theory]
    [InlineData("100mbit", 12.5e6, 0)]
    [InlineData("1gbit", 125e6, 0)]
    [InlineData("1gbit+2ms", 125e6, 2000)]
    [InlineData("1Mbit 500us", 125e3, 500)]
    [InlineData("10kbit,1s", 1250, 1_000_000)]
    [InlineData("2.5mbit + 0.25ms", 312.5e3, 250)]
    public void Parse_RateAndLatency_ReadsTcUnits(string text, double bytesPerSecond, double latencyMicroseconds)
    {
        var link = LinkModel.Parse(text);

        Assert.Equal(bytesPerSecond, link.BytesPerSecond, precision: 6);
        Assert.Equal(TimeSpan.FromMicroseconds(latencyMicroseconds), link.LatencyPerMessage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("100mb")]
    [InlineData("-1mbit")]
    [InlineData("0mbit")]
    [InlineData("100mbit+2")]
    [InlineData("100mbit+2ms+3ms")]
    public void Parse_Malformed_ThrowsFormatException(string text)
    {
        Assert.Throws<FormatException>(() => LinkModel.Parse(text));
    }

    [Fact]
    public void TransmissionTime_IsLatencyPlusBytesOverBandwidth()
    {
        var link = LinkModel.Parse("1mbit+1ms");

        Assert.Equal(TimeSpan.FromMilliseconds(33), link.TransmissionTime(4000));
        Assert.Equal(TimeSpan.FromMilliseconds(1), link.TransmissionTime(0));
    }

    [Fact]
    public void Constructor_NonPositiveBandwidthOrNegativeLatency_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkModel(0, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkModel(double.NaN, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkModel(1e6, TimeSpan.FromMilliseconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinkModel.Parse("1gbit") with { BytesPerSecond = -5 });
    }
}

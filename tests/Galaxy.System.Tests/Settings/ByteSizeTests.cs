using Galaxy.Silo;

namespace Galaxy.SystemTests.Settings;

/// <summary><see cref="ByteSize"/>: binary K/M/G/T (with or without i/iB), decimal KB/MB/GB/TB, plain bytes.</summary>
public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("100B", 100L)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("512mib", 512L << 20)]
    [InlineData("4GiB", 4L << 30)]
    [InlineData("4Gi", 4L << 30)]
    [InlineData("4G", 4L << 30)]
    [InlineData("4g", 4L << 30)]
    [InlineData("4 GB", 4_000_000_000L)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("2k", 2048L)]
    [InlineData("2KB", 2000L)]
    [InlineData("1TiB", 1L << 40)]
    [InlineData(" 8M ", 8L << 20)]
    public void TryParse_KnownForms_GiveBytes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("GiB")]
    [InlineData("-1G")]
    [InlineData("4X")]
    [InlineData("4 G B")]
    [InlineData("1,5G")]
    [InlineData("99999999999TiB")]
    public void TryParse_Malformed_IsFalse(string? text)
    {
        Assert.False(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(0, bytes);
    }

    [Theory]
    [InlineData(900L, "900 B")]
    [InlineData(512L << 20, "512 MiB")]
    [InlineData(3L << 29, "1.5 GiB")]
    [InlineData(4L << 30, "4 GiB")]
    public void Format_Bytes_ShortBinaryForm(long bytes, string expected) => Assert.Equal(expected, ByteSize.Format(bytes));
}

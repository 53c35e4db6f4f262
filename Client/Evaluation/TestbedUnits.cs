using System.Globalization;
using System.Text.RegularExpressions;

namespace Galaxy.Client.Evaluation;

/// <summary>The testbed's units as <c>deploy/testbed/testbed</c> reads them: link rates, delays and CPU shares.</summary>
public static partial class TestbedUnits
{
    /// <summary>"100mbit" → 100 000 000; units bit, kbit, mbit, gbit (powers of 1000), case ignored, fractions allowed.</summary>
    /// <returns>False for anything else, or a rate outside 100 kbit/s … 100 Gbit/s (what the testbed accepts).</returns>
    public static bool TryParseRate(string? text, out long bitsPerSecond)
    {
        bitsPerSecond = 0;
        var match = text is null ? Match.Empty : RatePattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        var factor = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "bit" => 1d,
            "kbit" => 1e3,
            "mbit" => 1e6,
            _ => 1e9,
        };
        var bits = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * factor;
        if (bits < 1e5 || bits > 1e11)
        {
            return false;
        }

        bitsPerSecond = (long)Math.Round(bits);
        return true;
    }

    /// <summary>"2ms" → 2, "500us" → 0.5, "0" → 0 (milliseconds); at most one second.</summary>
    public static bool TryParseDelay(string? text, out double milliseconds)
    {
        milliseconds = 0;
        if (text?.Trim() == "0")
        {
            return true;
        }

        var match = text is null ? Match.Empty : DelayPattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        milliseconds = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "us" => value / 1000,
            "ms" => value,
            _ => value * 1000,
        };
        return milliseconds <= 1000;
    }

    /// <summary>"30%" → 30 (percent of one core; one decimal at most, at least 1).</summary>
    public static bool TryParseCpu(string? text, out double percent)
    {
        percent = 0;
        var match = text is null ? Match.Empty : CpuPattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        percent = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return percent >= 1;
    }

    /// <summary>A rate for people: "100 Mbit/s", "1 Gbit/s".</summary>
    public static string FormatRate(long bitsPerSecond) => bitsPerSecond >= 1_000_000_000
        ? string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e9:0.##} Gbit/s")
        : string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e6:0.##} Mbit/s");

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(bit|kbit|mbit|gbit)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(us|ms|s)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DelayPattern();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9])?)%$", RegexOptions.CultureInvariant)]
    private static partial Regex CpuPattern();
}

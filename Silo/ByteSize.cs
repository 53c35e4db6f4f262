using System.Globalization;

namespace Galaxy.Silo;

/// <summary>
/// Byte counts as people write them: <c>536870912</c>, <c>512MiB</c>, <c>4GiB</c>, <c>4G</c>, <c>1.5 GB</c>.
/// K, M, G, T with or without "i"/"iB" are powers of 1024 (4G = 4GiB); KB, MB, GB, TB are powers of 1000; B or no
/// unit is bytes. Case is ignored.
/// </summary>
public static class ByteSize
{
    private static readonly (string Unit, long Factor)[] Units =
    [
        ("tib", 1L << 40), ("gib", 1L << 30), ("mib", 1L << 20), ("kib", 1L << 10),
        ("ti", 1L << 40), ("gi", 1L << 30), ("mi", 1L << 20), ("ki", 1L << 10),
        ("tb", 1_000_000_000_000), ("gb", 1_000_000_000), ("mb", 1_000_000), ("kb", 1_000),
        ("t", 1L << 40), ("g", 1L << 30), ("m", 1L << 20), ("k", 1L << 10),
        ("b", 1),
    ];

    /// <summary>Parses <paramref name="text"/> into a whole number of bytes (fractions are rounded down).</summary>
    /// <returns>False, with <paramref name="bytes"/> = 0, for anything but a non-negative number and a known unit, or an overflow.</returns>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        var unitStart = trimmed.Length;
        while (unitStart > 0 && char.IsAsciiLetter(trimmed[unitStart - 1]))
        {
            unitStart--;
        }

        var unit = trimmed[unitStart..].ToLowerInvariant();
        var number = trimmed[..unitStart].TrimEnd();
        long factor = 1;
        if (unit.Length > 0)
        {
            var match = Array.FindIndex(Units, u => u.Unit == unit);
            if (match < 0)
            {
                return false;
            }

            factor = Units[match].Factor;
        }

        if (number.Length == 0
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        try
        {
            bytes = (long)decimal.Floor(value * factor);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>A short binary form, e.g. "512 MiB", "3.8 GiB", "900 B".</summary>
    public static string Format(long bytes)
    {
        ReadOnlySpan<string> names = ["B", "KiB", "MiB", "GiB", "TiB"];
        var value = (double)bytes;
        var index = 0;
        while (Math.Abs(value) >= 1024 && index < names.Length - 1)
        {
            value /= 1024;
            index++;
        }

        var format = index == 0 || value >= 100 || value == Math.Floor(value) ? "F0" : "F1";
        return $"{value.ToString(format, CultureInfo.InvariantCulture)} {names[index]}";
    }
}

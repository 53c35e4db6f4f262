namespace Galaxy.Kernels.Parallel;

/// <summary>The names of <see cref="LinkPrecision"/> on command lines and in reports: <c>fp32</c>, <c>bf16</c>, <c>int8</c>.</summary>
public static class LinkPrecisionNames
{
    /// <summary>Every precision, in order of decreasing bytes.</summary>
    public static IReadOnlyList<LinkPrecision> All { get; } = [LinkPrecision.Fp32, LinkPrecision.Bf16, LinkPrecision.Int8];

    /// <summary>The name of <paramref name="precision"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined precision.</exception>
    public static string Of(LinkPrecision precision) => precision switch
    {
        LinkPrecision.Fp32 => "fp32",
        LinkPrecision.Bf16 => "bf16",
        LinkPrecision.Int8 => "int8",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Link precisions are fp32, bf16 and int8."),
    };

    /// <summary>Reads a name (case-insensitive, surrounding spaces ignored).</summary>
    /// <exception cref="FormatException">Not one of fp32, bf16, int8; the message lists them.</exception>
    public static LinkPrecision Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var precision in All)
        {
            if (string.Equals(text.Trim(), Of(precision), StringComparison.OrdinalIgnoreCase))
            {
                return precision;
            }
        }

        throw new FormatException($"'{text}' is not a link precision: use fp32, bf16 or int8.");
    }
}

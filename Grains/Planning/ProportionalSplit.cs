namespace Galaxy.Grains.Planning;

/// <summary>
/// Splits an integer total into parts proportional to weights by the largest-remainder method:
/// part_d = ⌊total · w_d / Σw⌋, then the units still missing go one each to the largest fractional remainders
/// (ties to the lower index). The parts always sum to the total exactly; a weight of 0 gets 0.
/// </summary>
public static class ProportionalSplit
{
    /// <summary>Parts of <paramref name="total"/> proportional to <paramref name="weights"/>.</summary>
    /// <param name="total">What to split, ≥ 0.</param>
    /// <param name="weights">One finite weight ≥ 0 per part; when they are all 0 the split is even (remainders to the first parts).</param>
    /// <returns>One part per weight, each ≥ 0, summing to <paramref name="total"/>.</returns>
    /// <exception cref="ArgumentException">No weights, a negative, infinite or NaN weight, or a negative total.</exception>
    public static int[] Split(int total, IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        if (weights.Count == 0)
        {
            throw new ArgumentException("A split needs at least one part.", nameof(weights));
        }

        for (var i = 0; i < weights.Count; i++)
        {
            if (!double.IsFinite(weights[i]) || weights[i] < 0)
            {
                throw new ArgumentException($"Weight {i} is {weights[i]}; weights must be finite and ≥ 0.", nameof(weights));
            }
        }

        // Scaled by the largest weight, so no sum overflows whatever the weights' magnitude.
        var largest = weights.Max();
        double[] effective = largest > 0 ? [.. weights.Select(w => w / largest)] : [.. Enumerable.Repeat(1.0, weights.Count)];
        var effectiveSum = effective.Sum();
        var parts = new int[weights.Count];
        var remainders = new double[weights.Count];
        var assigned = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var exact = total * (effective[i] / effectiveSum);
            parts[i] = (int)Math.Floor(exact);
            remainders[i] = exact - parts[i];
            assigned += parts[i];
        }

        // Σ⌊x_d⌋ ≤ Σx_d = total, and fewer units are missing than there are positive weights (each floor loses < 1).
        var order = Enumerable.Range(0, parts.Length).Where(i => effective[i] > 0).ToList();
        foreach (var i in order.OrderByDescending(i => remainders[i]).ThenBy(i => i))
        {
            if (assigned == total)
            {
                break;
            }

            parts[i]++;
            assigned++;
        }

        // Floating-point rounding could in principle leave a unit over; keep the sum exact regardless.
        for (var i = 0; assigned < total; i = (i + 1) % parts.Length)
        {
            if (effective[i] > 0)
            {
                parts[i]++;
                assigned++;
            }
        }

        return parts;
    }
}

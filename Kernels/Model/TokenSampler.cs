using System.Numerics.Tensors;

namespace Galaxy.Kernels.Model;

/// <summary>Chooses next tokens from logits per <see cref="SamplingOptions"/>, with its own seeded random stream.</summary>
public sealed class TokenSampler
{
    private readonly SamplingOptions _options;
    private readonly Random _random;

    public TokenSampler(SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _random = new Random(options.Seed);
    }

    /// <summary>The next token id.</summary>
    public int Next(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("No logits to sample from.", nameof(logits));
        }

        if (_options.Temperature == 0f)
        {
            return TensorPrimitives.IndexOfMax(logits);
        }

        // Candidates, most likely first (ties: lower id first, so a run is reproducible).
        var order = new int[logits.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var scores = logits.ToArray();
        Array.Sort(order, (a, b) => scores[b] != scores[a] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));
        var keep = _options.TopK > 0 ? Math.Min(_options.TopK, order.Length) : order.Length;

        var probabilities = new double[keep];
        var max = scores[order[0]];
        var sum = 0.0;
        for (var i = 0; i < keep; i++)
        {
            probabilities[i] = Math.Exp((scores[order[i]] - max) / _options.Temperature);
            sum += probabilities[i];
        }

        if (_options.TopP < 1f)
        {
            var cumulative = 0.0;
            for (var i = 0; i < keep; i++)
            {
                cumulative += probabilities[i] / sum;
                if (cumulative >= _options.TopP)
                {
                    keep = i + 1;
                    break;
                }
            }

            sum = probabilities.AsSpan(0, keep).ToArray().Sum();
        }

        var draw = _random.NextDouble() * sum;
        for (var i = 0; i < keep; i++)
        {
            draw -= probabilities[i];
            if (draw < 0)
            {
                return order[i];
            }
        }

        return order[keep - 1];
    }
}

namespace Galaxy.Kernels.Model;

/// <summary>How the next token is chosen. Temperature 0 is greedy (argmax); otherwise top-k, then top-p, then a seeded draw.</summary>
/// <param name="Temperature">Logits are divided by it; 0 = greedy.</param>
/// <param name="TopK">Keep only the k most likely tokens (0 = all).</param>
/// <param name="TopP">Keep the smallest set of most likely tokens whose probability reaches p (1 = all).</param>
/// <param name="Seed">Seed of the draw, so a run can be repeated exactly.</param>
public sealed record SamplingOptions(float Temperature = 0f, int TopK = 0, float TopP = 1f, int Seed = 0)
{
    /// <summary>Always the most likely token.</summary>
    public static SamplingOptions Greedy { get; } = new();

    /// <summary>Throws unless every option is in range.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0f) || !float.IsFinite(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be a finite value ≥ 0.");
        }

        if (TopK < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top-k must be ≥ 0 (0 keeps every token).");
        }

        if (!(TopP > 0f && TopP <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1].");
        }
    }
}

using Galaxy.Grains;

namespace Galaxy.Client.Evaluation;

/// <summary>The evaluation's mode names on the command line and in results: local, megatron, sp, galaxy-no-overlap, galaxy.</summary>
public static class ModeNames
{
    private static readonly (string Name, EvaluationMode Mode)[] Names =
    [
        ("local", EvaluationMode.Local),
        ("megatron", EvaluationMode.Megatron),
        ("sp", EvaluationMode.Sequence),
        ("galaxy-no-overlap", EvaluationMode.GalaxyNoOverlap),
        ("galaxy", EvaluationMode.Galaxy),
    ];

    /// <summary>Every mode in the order tables show them.</summary>
    public static IReadOnlyList<EvaluationMode> All => [.. Names.Select(n => n.Mode)];

    /// <summary>The name of <paramref name="mode"/>.</summary>
    public static string Name(EvaluationMode mode) =>
        Names.FirstOrDefault(n => n.Mode == mode).Name ?? throw new ArgumentException($"Unknown evaluation mode {(int)mode}.", nameof(mode));

    /// <summary>The mode called <paramref name="name"/> (case ignored).</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static EvaluationMode Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var (known, mode) in Names)
        {
            if (string.Equals(known, name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return mode;
            }
        }

        throw new ArgumentException($"unknown mode '{name}'; the modes are {string.Join(", ", Names.Select(n => n.Name))}.", nameof(name));
    }
}

namespace Galaxy.Client.Evaluation;

/// <summary>One of the targets checked against the cells: what was compared, the numbers, and whether it was met.</summary>
/// <param name="Target">The target as stated.</param>
/// <param name="Where">The cells compared (setup, links, model, length).</param>
/// <param name="Measured">The measured numbers.</param>
/// <param name="Met">True when met, false when missed, null when the cells needed were not measured.</param>
public sealed record TargetCheck(string Target, string Where, string Measured, bool? Met)
{
    /// <summary>"met", "MISSED" or "not measured".</summary>
    public string Verdict => Met switch
    {
        true => "met",
        false => "MISSED",
        null => "not measured",
    };
}

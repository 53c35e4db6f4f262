namespace Galaxy.Client.Evaluation;

/// <summary>One plot written by <see cref="EvaluationPlots"/>: its setup, title and the two files (names relative to the output directory).</summary>
/// <param name="Setup">The setup it shows.</param>
/// <param name="Title">Its title.</param>
/// <param name="Png">The PNG file's name.</param>
/// <param name="Svg">The SVG file's name.</param>
public sealed record EvaluationPlot(string Setup, string Title, string Png, string Svg);

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Galaxy.Client.Evaluation;

/// <summary>Everything one <c>galaxy eval</c> measured: the raw runs and the cells' summaries, with how they were made.</summary>
/// <param name="Generated">When the results were written.</param>
/// <param name="Command">The command that made them.</param>
/// <param name="Cores">The machine's cores.</param>
/// <param name="Setups">The setups with the grids that ran.</param>
/// <param name="Samples">Every recorded run (and each OOM cell once).</param>
/// <param name="Cells">Per cell: median, spread, prediction.</param>
public sealed record EvaluationResults(
    [property: JsonPropertyName("generated")] DateTimeOffset Generated,
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("setups")] IReadOnlyList<EvaluationSetup> Setups,
    [property: JsonPropertyName("samples")] IReadOnlyList<EvaluationSample> Samples,
    [property: JsonPropertyName("cells")] IReadOnlyList<CellSummary> Cells)
{
    /// <summary>How the results are written: indented, snake_case for the records without names of their own, enums as names.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}

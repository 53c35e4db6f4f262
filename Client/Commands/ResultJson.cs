using System.Globalization;
using System.Text;
using System.Text.Json;
using Galaxy.Grains;

namespace Galaxy.Client.Commands;

/// <summary>Writes the commands' <c>--json</c> output: one JSON object and a newline.</summary>
internal static class ResultJson
{
    /// <summary>Writes the object <paramref name="body"/> fills to <paramref name="output"/>.</summary>
    public static async Task WriteAsync(TextWriter output, Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>An array property of numbers.</summary>
    public static void WriteNumbers(Utf8JsonWriter writer, string name, ReadOnlySpan<float> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>An array property of ints.</summary>
    public static void WriteNumbers(Utf8JsonWriter writer, string name, IEnumerable<int> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// <c>"devices": [{"device","rank","heads","mlp_columns","rows","compute_ms","wall_ms","layers":[{"layer","compute_ms","wall_ms"}]}]</c>.
    /// </summary>
    public static void WriteDevices(Utf8JsonWriter writer, IReadOnlyList<DeviceTiming> devices)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(devices);
        writer.WriteStartArray("devices");
        foreach (var d in devices)
        {
            writer.WriteStartObject();
            writer.WriteString("device", d.Device);
            writer.WriteNumber("rank", d.Rank);
            writer.WriteNumber("heads", d.Share.Heads);
            writer.WriteNumber("mlp_columns", d.Share.MlpColumns);
            writer.WriteNumber("rows", d.Share.Rows);
            writer.WriteNumber("compute_ms", Math.Round(d.ComputeMilliseconds, 3));
            writer.WriteNumber("wall_ms", Math.Round(d.WallMilliseconds, 3));
            writer.WriteStartArray("layers");
            foreach (var layer in d.Layers)
            {
                writer.WriteStartObject();
                writer.WriteNumber("layer", layer.Layer);
                writer.WriteNumber("compute_ms", Math.Round(layer.ComputeMilliseconds, 3));
                writer.WriteNumber("wall_ms", Math.Round(layer.WallMilliseconds, 3));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>One summary line per device: its share and times.</summary>
    public static string DeviceLine(DeviceTiming d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return string.Create(CultureInfo.InvariantCulture,
            $"  {d.Device}: {d.Share.Heads} heads, {d.Share.MlpColumns} MLP columns, {d.Share.Rows} rows · compute {d.ComputeMilliseconds:F1} ms · wall {d.WallMilliseconds:F1} ms");
    }
}

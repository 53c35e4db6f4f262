using System.Globalization;
using System.Text.Json;

namespace Galaxy.Kernels.IO.Onnx;

/// <summary>The shape of a BERT encoder as read off an ONNX graph, and its Hugging Face <c>config.json</c>.</summary>
internal sealed record BertHyperparameters(
    int VocabSize,
    int HiddenSize,
    int Layers,
    int Heads,
    int IntermediateSize,
    int MaxPositions,
    int TypeVocabSize,
    float LayerNormEpsilon,
    string HiddenAct)
{
    /// <summary>Writes the keys a Hugging Face <c>BertModel</c> (and Galaxy's loader) reads.</summary>
    public void WriteConfigJson(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("architectures");
        json.WriteStringValue("BertModel");
        json.WriteEndArray();
        json.WriteString("model_type", "bert");
        json.WriteNumber("vocab_size", VocabSize);
        json.WriteNumber("hidden_size", HiddenSize);
        json.WriteNumber("num_hidden_layers", Layers);
        json.WriteNumber("num_attention_heads", Heads);
        json.WriteNumber("intermediate_size", IntermediateSize);
        json.WriteString("hidden_act", HiddenAct);
        json.WriteNumber("max_position_embeddings", MaxPositions);
        json.WriteNumber("type_vocab_size", TypeVocabSize);
        // The graph stores eps as fp32 (1e-12 reads back as 9.9999999600419720e-13); write the shortest
        // decimal that round-trips to the same float, which is the value the exporter was given.
        json.WriteNumber("layer_norm_eps", double.Parse(LayerNormEpsilon.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        json.WriteString("torch_dtype", "float32");
        json.WriteEndObject();
    }
}

namespace Galaxy.Kernels.IO.Onnx;

/// <summary>What <see cref="OnnxBertImporter.Import"/> wrote.</summary>
/// <param name="OutputDirectory">The model directory: config.json, model.safetensors and (when given) vocab.txt.</param>
/// <param name="Layers">num_hidden_layers.</param>
/// <param name="HiddenSize">hidden_size.</param>
/// <param name="Heads">num_attention_heads.</param>
/// <param name="IntermediateSize">intermediate_size (MLP width).</param>
/// <param name="VocabSize">vocab_size.</param>
/// <param name="LayerNormEpsilon">layer_norm_eps, as stored in the graph.</param>
/// <param name="Tensors">Every tensor written, in file order, with its ONNX source.</param>
/// <param name="VocabCopied">True when vocab.txt was copied beside the weights.</param>
public sealed record OnnxImportSummary(
    string OutputDirectory,
    int Layers,
    int HiddenSize,
    int Heads,
    int IntermediateSize,
    int VocabSize,
    float LayerNormEpsilon,
    IReadOnlyList<OnnxTensorMapping> Tensors,
    bool VocabCopied)
{
    /// <summary>How many tensors model.safetensors holds.</summary>
    public int TensorsWritten => Tensors.Count;
}

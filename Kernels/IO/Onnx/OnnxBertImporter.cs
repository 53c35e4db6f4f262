namespace Galaxy.Kernels.IO.Onnx;

/// <summary>
/// Converts an ONNX export of a BERT-style encoder (BERT, MiniLM, sentence-transformers) into a Hugging Face
/// model directory: <c>config.json</c> + <c>model.safetensors</c> (F32, PyTorch names and [out, in] Linear
/// weights) + <c>vocab.txt</c> when one is given.
/// </summary>
/// <remarks>
/// Weights are found by graph structure, not by name (see <see cref="BertGraphMapper"/>), so exports whose
/// MatMul weights carry numeric or <c>onnx::MatMul_*</c> names convert alike.
/// </remarks>
public static class OnnxBertImporter
{
    /// <summary>The weights file written into the output directory.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>The config file written into the output directory.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The vocabulary file copied into the output directory.</summary>
    public const string VocabFileName = "vocab.txt";

    /// <summary>Converts <paramref name="onnxPath"/> into <paramref name="outputDirectory"/> (created if absent; files there are replaced).</summary>
    /// <exception cref="FileNotFoundException"><paramref name="onnxPath"/> or <paramref name="vocabPath"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model, or its graph is not a BERT-style encoder; the message says what is missing.</exception>
    public static OnnxImportSummary Import(string onnxPath, string outputDirectory, string? vocabPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        if (vocabPath is not null && !File.Exists(vocabPath))
        {
            throw new FileNotFoundException($"Vocabulary '{Path.GetFullPath(vocabPath)}' does not exist.", vocabPath);
        }

        var mapping = BertGraphMapper.Map(OnnxGraph.Load(onnxPath));
        var directory = Directory.CreateDirectory(outputDirectory).FullName;
        SafeTensorsWriter.Write(
            Path.Combine(directory, WeightsFileName),
            mapping.Tensors,
            SafeTensorsDType.F32,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt", ["source"] = Path.GetFileName(onnxPath) });
        mapping.Config.WriteConfigJson(Path.Combine(directory, ConfigFileName));
        var vocabTarget = Path.Combine(directory, VocabFileName);
        if (vocabPath is not null && !string.Equals(Path.GetFullPath(vocabPath), vocabTarget, StringComparison.Ordinal))
        {
            File.Copy(vocabPath, vocabTarget, overwrite: true);
        }

        var config = mapping.Config;
        return new OnnxImportSummary(
            directory,
            config.Layers,
            config.HiddenSize,
            config.Heads,
            config.IntermediateSize,
            config.VocabSize,
            config.LayerNormEpsilon,
            mapping.Sources,
            VocabCopied: vocabPath is not null);
    }
}

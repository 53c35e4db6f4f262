namespace Galaxy.Kernels.IO;

/// <summary>The all-MiniLM-L6-v2 files prepared by <see cref="MiniLmModel.Prepare"/>.</summary>
/// <param name="OnnxPath">The ONNX model as extracted from the package (the ONNX Runtime oracle runs this file).</param>
/// <param name="VocabPath">The extracted WordPiece vocabulary.</param>
/// <param name="ModelDirectory">The converted Hugging Face model directory: config.json, model.safetensors, vocab.txt.</param>
public sealed record MiniLmModelFiles(string OnnxPath, string VocabPath, string ModelDirectory);

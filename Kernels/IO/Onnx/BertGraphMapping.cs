namespace Galaxy.Kernels.IO.Onnx;

/// <summary>An encoder read off an ONNX graph: its config and its tensors in Hugging Face names and layout, in file order.</summary>
internal sealed record BertGraphMapping(BertHyperparameters Config, IReadOnlyList<SafeTensor> Tensors, IReadOnlyList<OnnxTensorMapping> Sources);

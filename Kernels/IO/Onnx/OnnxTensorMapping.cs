namespace Galaxy.Kernels.IO.Onnx;

/// <summary>Where one written weight came from in the ONNX graph.</summary>
/// <param name="Name">The Hugging Face name written to model.safetensors, e.g. <c>encoder.layer.0.attention.self.query.weight</c>.</param>
/// <param name="OnnxName">The ONNX initializer (or <c>Constant</c> output) that holds it, e.g. <c>927</c>.</param>
/// <param name="Transposed">True when the ONNX tensor was stored input × output (a MatMul operand) and was written transposed to output × input.</param>
public sealed record OnnxTensorMapping(string Name, string OnnxName, bool Transposed);

namespace Galaxy.Benchmarks.Onnx;

/// <summary>
/// One-node ONNX models of the non-GEMM transformer ops, each the ONNX Runtime counterpart of a
/// <c>Galaxy.Kernels.Ops</c> kernel with the same shapes and constants.
/// </summary>
public static class OnnxOpModels
{
    public const string InputName = "X";
    public const string OutputName = "Y";
    public const string QueryName = "query";
    public const string KeyName = "key";
    public const string ValueName = "value";

    /// <summary>
    /// <c>Y (R,N) = LayerNormalization(X (R,N), Scale = γ (N), B = β (N); axis = −1, epsilon)</c>, opset 17,
    /// with γ and β as initializers (the model's weights).
    /// </summary>
    public static OnnxSingleNodeModel LayerNormalization(int rows, ReadOnlyMemory<float> gamma, ReadOnlyMemory<float> beta, float epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var width = gamma.Length;
        return new OnnxSingleNodeModel
        {
            OpType = "LayerNormalization",
            NodeName = "layer_norm",
            GraphName = "galaxy_layer_norm",
            Inputs = [new(InputName, [rows, width])],
            Initializers = [new("gamma", [width], gamma), new("beta", [beta.Length], beta)],
            Attributes = [OnnxAttributeProto.OfInt("axis", -1), OnnxAttributeProto.OfFloat("epsilon", epsilon)],
            Output = new(OutputName, [rows, width]),
            Opsets = [new(string.Empty, 17)],
        };
    }

    /// <summary>
    /// <c>Y = Gelu(X; approximate)</c> element-wise over a (rows, width) tensor, opset 20 (IR version 9):
    /// <paramref name="approximate"/> is <c>"none"</c> for the erf form, <c>"tanh"</c> for the tanh form.
    /// </summary>
    public static OnnxSingleNodeModel Gelu(int rows, int width, string approximate) => new()
    {
        OpType = "Gelu",
        NodeName = "gelu",
        GraphName = "galaxy_gelu",
        Inputs = [new(InputName, [rows, width])],
        Attributes = [OnnxAttributeProto.OfString("approximate", approximate)],
        Output = new(OutputName, [rows, width]),
        Opsets = [new(string.Empty, 20)],
        IrVersion = 9,
    };

    /// <summary><c>Y = Softmax(X; axis = −1)</c> over <paramref name="dims"/>, opset 13: every innermost row on its own.</summary>
    public static OnnxSingleNodeModel Softmax(IReadOnlyList<long> dims) => new()
    {
        OpType = "Softmax",
        NodeName = "softmax",
        GraphName = "galaxy_softmax",
        Inputs = [new(InputName, dims)],
        Attributes = [OnnxAttributeProto.OfInt("axis", -1)],
        Output = new(OutputName, dims),
        Opsets = [new(string.Empty, 13)],
    };

    /// <summary>
    /// ONNX Runtime's contrib <c>com.microsoft.MultiHeadAttention</c> on unprojected Q, K, V of shape
    /// (1, S, H·d) each, <c>num_heads</c> = H, the default scale 1/√d, and <c>unidirectional</c> = 1 when
    /// <paramref name="causal"/>. Output (1, S, H·d): head h in columns [h·d, (h+1)·d), as Galaxy lays it out.
    /// </summary>
    public static OnnxSingleNodeModel MultiHeadAttention(int sequence, int heads, int headDim, bool causal)
    {
        var width = (long)heads * headDim;
        return new OnnxSingleNodeModel
        {
            OpType = "MultiHeadAttention",
            Domain = OnnxOpset.MicrosoftDomain,
            NodeName = "attention",
            GraphName = "galaxy_attention",
            Inputs = [new(QueryName, [1, sequence, width]), new(KeyName, [1, sequence, width]), new(ValueName, [1, sequence, width])],
            Attributes = [OnnxAttributeProto.OfInt("num_heads", heads), OnnxAttributeProto.OfInt("unidirectional", causal ? 1 : 0)],
            Output = new(OutputName, [1, sequence, width]),
            Opsets = [new(string.Empty, 17), new(OnnxOpset.MicrosoftDomain, 1)],
        };
    }
}

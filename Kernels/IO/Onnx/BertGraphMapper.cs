using System.Globalization;
using System.Text.RegularExpressions;
using Galaxy.Kernels.IO.Onnx.Proto;

namespace Galaxy.Kernels.IO.Onnx;

/// <summary>
/// Maps the initializers of an exported BERT encoder to Hugging Face parameter names by walking the graph.
/// </summary>
/// <remarks>
/// Exporters keep the names of biases, LayerNorms and embeddings (<c>encoder.layer.0.attention.self.query.bias</c>)
/// but give MatMul weights arbitrary names (<c>927</c>, <c>onnx::MatMul_788</c>). A Linear layer is exported as
/// <c>Add(MatMul(x, W), bias)</c> with W stored input × output, so W is found through the bias Add that follows
/// its MatMul and written transposed to PyTorch's output × input. A Gemm with a bias (the pooler) is mapped the
/// same way, honouring its transB. Hyperparameters come from shapes and from the constants of the graph's
/// head split (Reshape to [batch, seq, heads, head_dim]) and of its spelled-out LayerNorm.
/// </remarks>
internal static partial class BertGraphMapper
{
    private const string WordEmbeddings = "embeddings.word_embeddings.weight";

    private static readonly string[] LayerNorms = ["attention.output.LayerNorm", "output.LayerNorm"];

    /// <summary>The config and the tensors (HF names and layout, file order) of the encoder in <paramref name="graph"/>.</summary>
    /// <exception cref="InvalidDataException">The graph is not a BERT-style encoder; the message names what is missing.</exception>
    public static BertGraphMapping Map(OnnxGraph graph)
    {
        var prefix = FindPrefix(graph);
        var linears = FindLinears(graph);
        var tensors = new List<SafeTensor>();
        var sources = new List<OnnxTensorMapping>();

        void Keep(string name, int[]? expectedShape = null)
        {
            var source = prefix + name;
            if (!graph.TryGetConstant(source, out var tensor))
            {
                throw NotBert(graph, $"it has no initializer '{source}'");
            }

            var shape = OnnxGraph.Shape(tensor);
            if (expectedShape is not null && !shape.SequenceEqual(expectedShape))
            {
                throw NotBert(graph, $"'{source}' has shape [{string.Join(", ", shape)}], expected [{string.Join(", ", expectedShape)}]");
            }

            tensors.Add(new SafeTensor(name, shape, graph.ReadFloats(tensor)));
            sources.Add(new OnnxTensorMapping(name, source, Transposed: false));
        }

        void Linear(string module, int outFeatures, int inFeatures)
        {
            var biasName = $"{prefix}{module}.bias";
            if (!graph.TryGetConstant(biasName, out var bias))
            {
                throw NotBert(graph, $"it has no initializer '{biasName}'");
            }

            if (!linears.TryGetValue(biasName, out var linear))
            {
                throw NotBert(graph, $"no MatMul feeds {biasName}");
            }

            var weight = graph.ReadFloats(linear.Weight);
            var shape = OnnxGraph.Shape(linear.Weight);
            int[] expected = linear.StoredOutByIn ? [outFeatures, inFeatures] : [inFeatures, outFeatures];
            if (!shape.SequenceEqual(expected) || bias.Dims.Count != 1 || bias.Dims[0] != outFeatures)
            {
                throw NotBert(graph, $"{module} has weight '{linear.WeightName}' [{string.Join(", ", shape)}] and bias [{string.Join(", ", bias.Dims)}], "
                    + $"expected [{string.Join(", ", expected)}] and [{outFeatures}]");
            }

            var name = $"{module}.weight";
            tensors.Add(new SafeTensor(name, [outFeatures, inFeatures], linear.StoredOutByIn ? weight : Transpose(weight, inFeatures, outFeatures)));
            sources.Add(new OnnxTensorMapping(name, linear.WeightName, Transposed: !linear.StoredOutByIn));
            tensors.Add(new SafeTensor($"{module}.bias", [outFeatures], graph.ReadFloats(bias)));
            sources.Add(new OnnxTensorMapping($"{module}.bias", biasName, Transposed: false));
        }

        var layers = CountLayers(graph, prefix);
        var (vocab, hidden) = Matrix(graph, prefix + WordEmbeddings);
        var (maxPositions, _) = Matrix(graph, prefix + "embeddings.position_embeddings.weight", hidden);
        var (typeVocab, _) = Matrix(graph, prefix + "embeddings.token_type_embeddings.weight", hidden);
        var intermediateBias = $"{prefix}encoder.layer.0.intermediate.dense.bias";
        var intermediate = graph.TryGetConstant(intermediateBias, out var intermediateTensor) && intermediateTensor.Dims.Count == 1
            ? checked((int)intermediateTensor.Dims[0])
            : throw NotBert(graph, $"it has no 1-D initializer '{intermediateBias}'");

        void Norm(string module)
        {
            Keep($"{module}.weight", [hidden]);
            Keep($"{module}.bias", [hidden]);
        }

        // Hugging Face's parameter order: embeddings, then per layer attention, its LayerNorm, MLP, its LayerNorm.
        Keep(WordEmbeddings);
        Keep("embeddings.position_embeddings.weight");
        Keep("embeddings.token_type_embeddings.weight");
        Norm("embeddings.LayerNorm");
        for (var layer = 0; layer < layers; layer++)
        {
            var at = $"encoder.layer.{layer}";
            Linear($"{at}.attention.self.query", hidden, hidden);
            Linear($"{at}.attention.self.key", hidden, hidden);
            Linear($"{at}.attention.self.value", hidden, hidden);
            Linear($"{at}.attention.output.dense", hidden, hidden);
            Norm($"{at}.{LayerNorms[0]}");
            Linear($"{at}.intermediate.dense", intermediate, hidden);
            Linear($"{at}.output.dense", hidden, intermediate);
            Norm($"{at}.{LayerNorms[1]}");
        }

        if (graph.TryGetConstant(prefix + "pooler.dense.bias", out _))
        {
            Linear("pooler.dense", hidden, hidden);
        }

        var config = new BertHyperparameters(
            vocab,
            hidden,
            layers,
            FindHeads(graph, prefix, linears, hidden),
            intermediate,
            maxPositions,
            typeVocab,
            FindLayerNormEpsilon(graph, prefix, layers),
            FindActivation(graph, prefix, linears));
        return new BertGraphMapping(config, tensors, sources);
    }

    /// <summary>Row-major [rows, columns] → [columns, rows].</summary>
    internal static float[] Transpose(float[] source, int rows, int columns)
    {
        var result = new float[source.Length];
        for (var r = 0; r < rows; r++)
        {
            var row = source.AsSpan(r * columns, columns);
            for (var c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = row[c];
            }
        }

        return result;
    }

    /// <summary>"bert." and similar wrappers: whatever stands before the word embeddings' name.</summary>
    private static string FindPrefix(OnnxGraph graph)
    {
        var match = graph.Initializers.Select(t => t.Name).FirstOrDefault(n => n.EndsWith(WordEmbeddings, StringComparison.Ordinal));
        return match is null
            ? throw NotBert(graph, $"it has no initializer named '{WordEmbeddings}'")
            : match[..^WordEmbeddings.Length];
    }

    private static int CountLayers(OnnxGraph graph, string prefix)
    {
        var pattern = LayerIndex();
        var highest = -1;
        foreach (var tensor in graph.Initializers)
        {
            if (tensor.Name.StartsWith(prefix, StringComparison.Ordinal) && pattern.Match(tensor.Name, prefix.Length) is { Success: true } match)
            {
                highest = Math.Max(highest, int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
            }
        }

        return highest >= 0 ? highest + 1 : throw NotBert(graph, $"it has no '{prefix}encoder.layer.N.*' initializers");
    }

    private static (int Rows, int Columns) Matrix(OnnxGraph graph, string name, int? columns = null)
    {
        if (!graph.TryGetConstant(name, out var tensor))
        {
            throw NotBert(graph, $"it has no initializer '{name}'");
        }

        return tensor.Dims.Count == 2 && (columns is null || tensor.Dims[1] == columns)
            ? (checked((int)tensor.Dims[0]), checked((int)tensor.Dims[1]))
            : throw NotBert(graph, $"'{name}' has shape [{string.Join(", ", tensor.Dims)}], expected [rows, {columns?.ToString(CultureInfo.InvariantCulture) ?? "hidden"}]");
    }

    /// <summary>Every <c>Add(MatMul(x, W), bias)</c> and <c>Gemm(x, W, bias)</c> with constant W and a <c>*.bias</c> constant, keyed by the bias name.</summary>
    private static Dictionary<string, LinearSource> FindLinears(OnnxGraph graph)
    {
        var linears = new Dictionary<string, LinearSource>(StringComparer.Ordinal);
        foreach (var node in graph.Graph.Node)
        {
            if (node.OpType == "Add" && node.Input.Count == 2)
            {
                for (var side = 0; side < 2; side++)
                {
                    var biasName = node.Input[side];
                    if (biasName.EndsWith(".bias", StringComparison.Ordinal)
                        && graph.TryGetConstant(biasName, out _)
                        && graph.Producer(node.Input[1 - side]) is { OpType: "MatMul" } matMul
                        && ConstantWeight(graph, matMul.Input[1]) is { } weight)
                    {
                        linears.TryAdd(biasName, new LinearSource(weight.Name, weight.Tensor, weight.StoredOutByIn, node, matMul));
                    }
                }
            }
            else if (node.OpType == "Gemm" && node.Input.Count == 3
                && node.Input[2].EndsWith(".bias", StringComparison.Ordinal)
                && graph.TryGetConstant(node.Input[2], out _)
                && !node.Attribute.Any(a => a.Name == "transA" && a.I != 0)
                && ConstantWeight(graph, node.Input[1]) is { } weight)
            {
                // Gemm multiplies by Bᵀ when transB = 1, so B itself is then output × input.
                var transB = node.Attribute.Any(a => a.Name == "transB" && a.I != 0);
                linears.TryAdd(node.Input[2], new LinearSource(weight.Name, weight.Tensor, weight.StoredOutByIn != transB, node, node));
            }
        }

        return linears;
    }

    /// <summary>A 2-D constant B of <c>x · B</c>, directly or through <c>Transpose(perm=[1, 0])</c> (then already output × input).</summary>
    private static (string Name, TensorProto Tensor, bool StoredOutByIn)? ConstantWeight(OnnxGraph graph, string value)
    {
        if (graph.TryGetConstant(value, out var tensor))
        {
            return tensor.Dims.Count == 2 ? (value, tensor, false) : null;
        }

        if (graph.Producer(value) is { OpType: "Transpose" } transpose
            && graph.TryGetConstant(transpose.Input[0], out var source)
            && source.Dims.Count == 2)
        {
            var perm = transpose.Attribute.FirstOrDefault(a => a.Name == "perm");
            if (perm is null || perm.Ints.SequenceEqual([1L, 0L])) // no perm reverses the dims
            {
                return (transpose.Input[0], source, true);
            }
        }

        return null;
    }

    /// <summary>
    /// Heads from the head split of layer 0: the Reshape right after the query, key or value projection
    /// takes a shape ending in [heads, head_dim] (a constant, or a Concat whose trailing inputs are constants).
    /// </summary>
    private static int FindHeads(OnnxGraph graph, string prefix, Dictionary<string, LinearSource> linears, int hidden)
    {
        foreach (var projection in new[] { "query", "key", "value" })
        {
            if (!linears.TryGetValue($"{prefix}encoder.layer.0.attention.self.{projection}.bias", out var linear))
            {
                continue;
            }

            foreach (var reshape in graph.Consumers(linear.Add.Output[0]).Where(n => n.OpType == "Reshape" && n.Input.Count == 2))
            {
                var tail = TrailingConstants(graph, reshape.Input[1]);
                if (tail.Count < 2)
                {
                    continue;
                }

                var (heads, headDim) = (tail[^2], tail[^1]);
                if (heads <= 0 && headDim > 0 && hidden % headDim == 0)
                {
                    heads = hidden / headDim;
                }
                else if (heads > 0 && headDim <= 0 && hidden % heads == 0)
                {
                    headDim = hidden / heads;
                }

                if (heads > 0 && heads * headDim == hidden)
                {
                    return checked((int)heads);
                }
            }
        }

        throw NotBert(graph, $"no Reshape after the layer-0 query/key/value projection splits hidden size {hidden} into [heads, head_dim] with constant sizes");
    }

    /// <summary>The constant elements at the end of a shape value: all of a constant, or the constant trailing inputs of a Concat.</summary>
    private static List<long> TrailingConstants(OnnxGraph graph, string value)
    {
        if (graph.TryGetConstant(value, out var tensor))
        {
            return [.. graph.ReadIntegers(tensor)];
        }

        var tail = new List<long>();
        if (graph.Producer(value) is { OpType: "Concat" } concat)
        {
            for (var i = concat.Input.Count - 1; i >= 0 && graph.TryGetConstant(concat.Input[i], out var part); i--)
            {
                tail.InsertRange(0, graph.ReadIntegers(part));
            }
        }

        return tail;
    }

    /// <summary>
    /// ε of every LayerNorm: <c>Mul(Div(d, Sqrt(Add(ReduceMean(Pow(d, 2)), ε))), weight)</c> with d = x − mean, or a
    /// fused LayerNormalization node's epsilon. All must agree, since config.json has one.
    /// </summary>
    private static float FindLayerNormEpsilon(OnnxGraph graph, string prefix, int layers)
    {
        var names = new List<string> { $"{prefix}embeddings.LayerNorm.weight" };
        for (var layer = 0; layer < layers; layer++)
        {
            names.AddRange(LayerNorms.Select(norm => $"{prefix}encoder.layer.{layer}.{norm}.weight"));
        }

        float? epsilon = null;
        foreach (var name in names)
        {
            var found = LayerNormEpsilon(graph, name)
                ?? throw NotBert(graph, $"no LayerNorm (ReduceMean/Sub/Pow/ReduceMean/Add(eps)/Sqrt/Div, or LayerNormalization) is scaled by {name}");
            if (epsilon is { } first && first != found)
            {
                throw NotBert(graph, $"LayerNorm epsilons differ ({first.ToString("R", CultureInfo.InvariantCulture)} and {found.ToString("R", CultureInfo.InvariantCulture)} at {name})");
            }

            epsilon = found;
        }

        return epsilon!.Value;
    }

    private static float? LayerNormEpsilon(OnnxGraph graph, string weight)
    {
        foreach (var node in graph.Consumers(weight))
        {
            if (node.OpType == "LayerNormalization")
            {
                return node.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f; // the operator's default
            }

            if (node.OpType != "Mul")
            {
                continue;
            }

            var normalized = node.Input[0] == weight ? node.Input[1] : node.Input[0];
            if (graph.Producer(normalized) is { OpType: "Div" } div
                && graph.Producer(div.Input[1]) is { OpType: "Sqrt" } sqrt
                && graph.Producer(sqrt.Input[0]) is { OpType: "Add" } add)
            {
                foreach (var input in add.Input)
                {
                    if (graph.TryGetConstant(input, out var constant)
                        && constant.DataType == (int)TensorProto.Types.DataType.Float
                        && graph.ReadFloats(constant) is [var epsilon])
                    {
                        return epsilon;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The MLP activation: the ops between the layer-0 intermediate projection and the output projection's MatMul.</summary>
    private static string FindActivation(OnnxGraph graph, string prefix, Dictionary<string, LinearSource> linears)
    {
        var start = linears[$"{prefix}encoder.layer.0.intermediate.dense.bias"].Add;
        var end = linears[$"{prefix}encoder.layer.0.output.dense.bias"].MatMul;
        var between = new List<NodeProto>();
        var frontier = new Queue<(NodeProto Node, int Depth)>([(start, 0)]);
        var seen = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance) { start };
        while (frontier.Count > 0)
        {
            var (node, depth) = frontier.Dequeue();
            foreach (var next in node.Output.SelectMany(graph.Consumers))
            {
                if (next != end && depth < 12 && seen.Add(next))
                {
                    between.Add(next);
                    frontier.Enqueue((next, depth + 1));
                }
            }
        }

        bool Has(string op) => between.Any(n => n.OpType == op);
        if (between.FirstOrDefault(n => n.OpType == "Gelu") is { } gelu)
        {
            return gelu.Attribute.Any(a => a.Name == "approximate" && a.S.ToStringUtf8() == "tanh") ? "gelu_new" : "gelu";
        }

        return Has("Erf") ? "gelu"
            : Has("Tanh") ? "gelu_new"
            : Has("Relu") ? "relu"
            : throw NotBert(graph, $"the MLP activation after {start.Name} is not GELU (Erf or Tanh form) or ReLU; ops seen: {string.Join(", ", between.Select(n => n.OpType).Distinct())}");
    }

    private static InvalidDataException NotBert(OnnxGraph graph, string reason) =>
        new($"'{graph.Source}' is not a BERT-style encoder graph: {reason}.");

    [GeneratedRegex(@"\Gencoder\.layer\.(\d+)\.")]
    private static partial Regex LayerIndex();

    /// <summary>The weight of one Linear and the nodes around it.</summary>
    /// <param name="WeightName">The constant holding the weight.</param>
    /// <param name="Weight">Its tensor.</param>
    /// <param name="StoredOutByIn">True when the tensor is already output × input (PyTorch layout).</param>
    /// <param name="Add">The node that adds the bias (the Gemm itself for a Gemm).</param>
    /// <param name="MatMul">The MatMul (or Gemm) that multiplies by the weight.</param>
    private sealed record LinearSource(string WeightName, TensorProto Weight, bool StoredOutByIn, NodeProto Add, NodeProto MatMul);
}

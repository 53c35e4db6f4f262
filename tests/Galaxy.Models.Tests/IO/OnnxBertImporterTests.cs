using System.Buffers.Binary;
using System.Text.Json;
using System.Text.RegularExpressions;
using Galaxy.Kernels.IO.Onnx;
using Galaxy.Kernels.IO.Onnx.Proto;
using Google.Protobuf;

namespace Galaxy.Models.Tests.IO;

[Collection(MiniLmCollectionDefinition.Name)]
public sealed partial class OnnxBertImporterTests(MiniLmFixture miniLm)
{
    [Fact]
    public void Import_MiniLm_WritesBertConfig()
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(miniLm.Import.OutputDirectory, "config.json")));
        var root = config.RootElement;

        Assert.Equal("bert", root.GetProperty("model_type").GetString());
        Assert.Equal(["BertModel"], root.GetProperty("architectures").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(6, root.GetProperty("num_hidden_layers").GetInt32());
        Assert.Equal(384, root.GetProperty("hidden_size").GetInt32());
        Assert.Equal(12, root.GetProperty("num_attention_heads").GetInt32());
        Assert.Equal(1536, root.GetProperty("intermediate_size").GetInt32());
        Assert.Equal(30522, root.GetProperty("vocab_size").GetInt32());
        Assert.Equal(512, root.GetProperty("max_position_embeddings").GetInt32());
        Assert.Equal(2, root.GetProperty("type_vocab_size").GetInt32());
        Assert.Equal(1e-12, root.GetProperty("layer_norm_eps").GetDouble());
        Assert.Equal("gelu", root.GetProperty("hidden_act").GetString());
    }

    [Fact]
    public void Import_MiniLm_ReturnsSummaryOfWhatItWrote()
    {
        var summary = miniLm.Import;

        Assert.Equal((6, 384, 12, 1536, 30522), (summary.Layers, summary.HiddenSize, summary.Heads, summary.IntermediateSize, summary.VocabSize));
        Assert.Equal(1e-12f, summary.LayerNormEpsilon);
        Assert.Equal(5 + (6 * 16) + 2, summary.TensorsWritten); // embeddings, 16 per layer, pooler
        Assert.True(summary.VocabCopied);
        Assert.Equal(File.ReadAllBytes(miniLm.Files.VocabPath), File.ReadAllBytes(Path.Combine(summary.OutputDirectory, "vocab.txt")));
    }

    [Fact]
    public void Import_MiniLm_EveryWeightEqualsItsOnnxInitializerBitForBit()
    {
        var written = new SafeTensorsReadBack(Path.Combine(miniLm.Import.OutputDirectory, "model.safetensors"));
        var initializers = miniLm.Model.Graph.Initializer.ToDictionary(t => t.Name);

        Assert.Equal(miniLm.Import.Tensors.Select(t => t.Name), written.Names);
        Assert.Equal("pt", written.Metadata["format"]);
        foreach (var mapping in miniLm.Import.Tensors)
        {
            var source = initializers[mapping.OnnxName];
            var expected = RawFloats(source);
            int[] dims = [.. source.Dims.Select(d => (int)d)];
            if (mapping.Transposed)
            {
                expected = Transpose(expected, dims[0], dims[1]);
                dims = [dims[1], dims[0]];
            }

            Assert.Equal(dims, written.Shape(mapping.Name));
            Assert.True(
                expected.Select(BitConverter.SingleToInt32Bits).SequenceEqual(written.Read(mapping.Name).Select(BitConverter.SingleToInt32Bits)),
                $"{mapping.Name} differs from ONNX initializer {mapping.OnnxName}");
        }
    }

    [Fact]
    public void Import_MiniLm_TransposesExactlyTheEncoderLinearWeightsToOutByIn()
    {
        var tensors = miniLm.Import.Tensors.ToDictionary(t => t.Name);

        // Encoder MatMul weights are stored [in, out]; the pooler's Gemm (transB = 1) already holds [out, in].
        Assert.All(miniLm.Import.Tensors, t => Assert.Equal(EncoderLinearWeight().IsMatch(t.Name), t.Transposed));
        Assert.False(tensors["pooler.dense.weight"].Transposed);
        var written = new SafeTensorsReadBack(Path.Combine(miniLm.Import.OutputDirectory, "model.safetensors"));
        Assert.Equal([1536, 384], written.Shape("encoder.layer.0.intermediate.dense.weight"));
        Assert.Equal([384, 1536], written.Shape("encoder.layer.0.output.dense.weight"));
    }

    [Fact]
    public void Import_MiniLm_UsesEveryFloatInitializerOnceAndFindsWeightsThroughTheirBiasAdd()
    {
        var floatInitializers = miniLm.Model.Graph.Initializer
            .Where(t => t.DataType == (int)TensorProto.Types.DataType.Float)
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal);
        var sources = miniLm.Import.Tensors.ToDictionary(t => t.Name, t => t.OnnxName);

        Assert.Equal(floatInitializers, miniLm.Import.Tensors.Select(t => t.OnnxName).Order(StringComparer.Ordinal));
        // Measured on this file: MatMul_34 (x · 927) feeds Add_35 with the query bias, MatMul_112 (· 938) the
        // intermediate bias, MatMul_122 (· 939) the output bias; the exporter named these weights by number only.
        Assert.Equal("927", sources["encoder.layer.0.attention.self.query.weight"]);
        Assert.Equal("928", sources["encoder.layer.0.attention.self.key.weight"]);
        Assert.Equal("931", sources["encoder.layer.0.attention.self.value.weight"]);
        Assert.Equal("938", sources["encoder.layer.0.intermediate.dense.weight"]);
        Assert.Equal("939", sources["encoder.layer.0.output.dense.weight"]);
    }

    [Fact]
    public void Map_WeightsAndShapesAsConstantNodesWithExporterNames_GivesTheSameTensors()
    {
        var renamed = miniLm.Model.Clone();
        var graph = renamed.Graph;
        var moved = graph.Initializer.Where(t => !t.Name.Contains('.', StringComparison.Ordinal)).ToList();
        var constants = new List<NodeProto>();
        foreach (var tensor in moved)
        {
            var name = $"onnx::Const_{tensor.Name}";
            foreach (var node in graph.Node)
            {
                for (var i = 0; i < node.Input.Count; i++)
                {
                    if (node.Input[i] == tensor.Name)
                    {
                        node.Input[i] = name;
                    }
                }
            }

            graph.Initializer.Remove(tensor);
            constants.Add(new NodeProto
            {
                OpType = "Constant",
                Output = { name },
                Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor } },
            });
        }

        var nodes = constants.Concat(graph.Node).ToList();
        graph.Node.Clear();
        graph.Node.Add(nodes);

        var mapping = BertGraphMapper.Map(OnnxGraph.FromModel(renamed, "renamed"));

        Assert.Equal(miniLm.Import.Tensors.Select(t => t.Name), mapping.Tensors.Select(t => t.Name));
        Assert.Equal("onnx::Const_927", mapping.Sources.Single(s => s.Name == "encoder.layer.0.attention.self.query.weight").OnnxName);
        Assert.Equal((6, 12, 1536, 1e-12f), (mapping.Config.Layers, mapping.Config.Heads, mapping.Config.IntermediateSize, mapping.Config.LayerNormEpsilon));
        var written = new SafeTensorsReadBack(Path.Combine(miniLm.Import.OutputDirectory, "model.safetensors"));
        Assert.All(mapping.Tensors, t => Assert.Equal(written.Read(t.Name), t.Data));
    }

    [Fact]
    public void Map_BiasAddWithoutItsMatMul_NamesTheOrphanBias()
    {
        var broken = miniLm.Model.Clone();
        var add = broken.Graph.Node.Single(n => n.OpType == "Add" && n.Input.Contains("encoder.layer.3.output.dense.bias"));
        var other = add.Input[0] == "encoder.layer.3.output.dense.bias" ? 1 : 0;
        add.Input[other] = "input_ids";

        var error = Assert.Throws<InvalidDataException>(() => BertGraphMapper.Map(OnnxGraph.FromModel(broken, "broken.onnx")));

        Assert.Contains("no MatMul feeds encoder.layer.3.output.dense.bias", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_OneNodeMatMulGraph_ThrowsNotBertNamingTheMissingEmbeddings()
    {
        var path = TempFile();
        try
        {
            File.WriteAllBytes(path, OneNodeMatMulModel().ToByteArray());

            var error = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.Import(path, path + ".out"));

            Assert.Contains("not a BERT-style encoder", error.Message, StringComparison.Ordinal);
            Assert.Contains("embeddings.word_embeddings.weight", error.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(path + ".out"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("text")]
    [InlineData("empty")]
    public void Import_CorruptOnnxFile_ThrowsInvalidDataNamingTheFile(string kind)
    {
        var path = TempFile();
        try
        {
            switch (kind)
            {
                case "truncated":
                    using (var source = File.OpenRead(miniLm.Files.OnnxPath))
                    using (var target = File.Create(path))
                    {
                        var head = new byte[1 << 20];
                        source.ReadExactly(head);
                        target.Write(head);
                    }

                    break;
                case "text":
                    File.WriteAllText(path, "not an onnx model\n");
                    break;
                default:
                    File.WriteAllBytes(path, []);
                    break;
            }

            var error = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.Import(path, path + ".out"));

            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains(kind == "empty" ? "no graph nodes" : "not a readable ONNX model", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Import_MissingFiles_ThrowFileNotFound()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"galaxy-missing-{Guid.NewGuid():N}.onnx");

        Assert.Throws<FileNotFoundException>(() => OnnxBertImporter.Import(missing, missing + ".out"));
        Assert.Throws<FileNotFoundException>(() => OnnxBertImporter.Import(miniLm.Files.OnnxPath, missing + ".out", vocabPath: missing + ".txt"));
    }

    /// <summary>Y (2, 3) = MatMul(X (2, 4), B (4, 3)): a valid ONNX model that is not an encoder.</summary>
    private static ModelProto OneNodeMatMulModel()
    {
        static ValueInfoProto Value(string name, params long[] dims) => new()
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float,
                    Shape = new TensorShapeProto { Dim = { dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }) } },
                },
            },
        };

        return new ModelProto
        {
            IrVersion = 8,
            ProducerName = "galaxy-tests",
            OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = 13 } },
            Graph = new GraphProto
            {
                Name = "matmul",
                Node = { new NodeProto { OpType = "MatMul", Name = "matmul", Input = { "X", "B" }, Output = { "Y" } } },
                Initializer =
                {
                    new TensorProto
                    {
                        Name = "B",
                        DataType = (int)TensorProto.Types.DataType.Float,
                        Dims = { 4, 3 },
                        FloatData = { Enumerable.Range(0, 12).Select(i => i * 0.5f) },
                    },
                },
                Input = { Value("X", 2, 4) },
                Output = { Value("Y", 2, 3) },
            },
        };
    }

    private static float[] RawFloats(TensorProto tensor)
    {
        Assert.Equal((int)TensorProto.Types.DataType.Float, tensor.DataType);
        var raw = tensor.RawData.Span;
        var values = new float[raw.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        }

        return values;
    }

    private static float[] Transpose(float[] source, int rows, int columns)
    {
        var result = new float[source.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = source[(r * columns) + c];
            }
        }

        return result;
    }

    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"galaxy-onnx-test-{Guid.NewGuid():N}.onnx");

    [GeneratedRegex(@"^encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)\.weight$")]
    private static partial Regex EncoderLinearWeight();
}

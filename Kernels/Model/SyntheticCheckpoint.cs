using Galaxy.Kernels.IO;

namespace Galaxy.Kernels.Model;

/// <summary>
/// Seeded random weights for a config, under the tensor names and layouts of the family's Hugging Face
/// checkpoints, so synthetic models go through the same loading path as real ones. Weights are drawn
/// like Hugging Face's initialisation (normal, σ = 0.02), LayerNorm γ near 1, β and biases near 0.
/// </summary>
public static class SyntheticCheckpoint
{
    /// <summary>The tensors' names and shapes, in file order.</summary>
    public static IReadOnlyList<(string Name, int[] Shape)> Layout(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var h = config.HiddenSize;
        var f = config.IntermediateSize;
        var tensors = new List<(string, int[])>();
        void Add(string name, params int[] shape) => tensors.Add((name, shape));
        void Norm(string name)
        {
            Add(name + ".weight", h);
            Add(name + ".bias", h);
        }

        void Linear(string name, int outputs, int inputs)
        {
            Add(name + ".weight", outputs, inputs);
            Add(name + ".bias", outputs);
        }

        switch (config.Architecture)
        {
            case ModelArchitecture.Bert:
                Add("embeddings.word_embeddings.weight", config.VocabularySize, h);
                Add("embeddings.position_embeddings.weight", config.MaxPositions, h);
                Add("embeddings.token_type_embeddings.weight", config.TypeVocabularySize, h);
                Norm("embeddings.LayerNorm");
                for (var i = 0; i < config.Layers; i++)
                {
                    var p = $"encoder.layer.{i}.";
                    Linear(p + "attention.self.query", h, h);
                    Linear(p + "attention.self.key", h, h);
                    Linear(p + "attention.self.value", h, h);
                    Linear(p + "attention.output.dense", h, h);
                    Norm(p + "attention.output.LayerNorm");
                    Linear(p + "intermediate.dense", f, h);
                    Linear(p + "output.dense", h, f);
                    Norm(p + "output.LayerNorm");
                }

                Linear("pooler.dense", h, h);
                break;
            case ModelArchitecture.DistilBert:
                Add("embeddings.word_embeddings.weight", config.VocabularySize, h);
                Add("embeddings.position_embeddings.weight", config.MaxPositions, h);
                Norm("embeddings.LayerNorm");
                for (var i = 0; i < config.Layers; i++)
                {
                    var p = $"transformer.layer.{i}.";
                    Linear(p + "attention.q_lin", h, h);
                    Linear(p + "attention.k_lin", h, h);
                    Linear(p + "attention.v_lin", h, h);
                    Linear(p + "attention.out_lin", h, h);
                    Norm(p + "sa_layer_norm");
                    Linear(p + "ffn.lin1", f, h);
                    Linear(p + "ffn.lin2", h, f);
                    Norm(p + "output_layer_norm");
                }

                break;
            case ModelArchitecture.Gpt2:
                Add("wte.weight", config.VocabularySize, h);
                Add("wpe.weight", config.MaxPositions, h);
                for (var i = 0; i < config.Layers; i++)
                {
                    var p = $"h.{i}.";
                    Norm(p + "ln_1");
                    Add(p + "attn.c_attn.weight", h, 3 * h);
                    Add(p + "attn.c_attn.bias", 3 * h);
                    Add(p + "attn.c_proj.weight", h, h);
                    Add(p + "attn.c_proj.bias", h);
                    Norm(p + "ln_2");
                    Add(p + "mlp.c_fc.weight", h, f);
                    Add(p + "mlp.c_fc.bias", f);
                    Add(p + "mlp.c_proj.weight", f, h);
                    Add(p + "mlp.c_proj.bias", h);
                }

                Norm("ln_f");
                break;
            default:
                Add("model.decoder.embed_tokens.weight", config.VocabularySize, h);
                Add("model.decoder.embed_positions.weight", config.MaxPositions + config.PositionOffset, h);
                for (var i = 0; i < config.Layers; i++)
                {
                    var p = $"model.decoder.layers.{i}.";
                    Linear(p + "self_attn.q_proj", h, h);
                    Linear(p + "self_attn.k_proj", h, h);
                    Linear(p + "self_attn.v_proj", h, h);
                    Linear(p + "self_attn.out_proj", h, h);
                    Norm(p + "self_attn_layer_norm");
                    Linear(p + "fc1", f, h);
                    Linear(p + "fc2", h, f);
                    Norm(p + "final_layer_norm");
                }

                Norm("model.decoder.final_layer_norm");
                break;
        }

        return tensors;
    }

    /// <summary>The values of one tensor: a pure function of (seed, name), so shards and slices agree.</summary>
    public static float[] Values(string name, int[] shape, int seed)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        var random = new Random(unchecked((seed * 486187739) ^ StableHash(name)));
        var isNormScale = shape.Length == 1 && (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)
            || name.EndsWith("layer_norm.weight", StringComparison.Ordinal) || name.EndsWith("ln_1.weight", StringComparison.Ordinal)
            || name.EndsWith("ln_2.weight", StringComparison.Ordinal) || name.EndsWith("ln_f.weight", StringComparison.Ordinal));
        var (mean, sigma) = isNormScale ? (1.0, 0.05) : (0.0, 0.02);
        for (var i = 0; i < values.Length; i += 2)
        {
            // Box–Muller: two normals from two uniforms.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var radius = Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = (float)(mean + (sigma * radius * Math.Cos(2 * Math.PI * u2)));
            if (i + 1 < values.Length)
            {
                values[i + 1] = (float)(mean + (sigma * radius * Math.Sin(2 * Math.PI * u2)));
            }
        }

        return values;
    }

    /// <summary>
    /// Writes <c>config.json</c> and <c>model.safetensors</c> for <paramref name="config"/> into
    /// <paramref name="directory"/>, one tensor at a time; <paramref name="progress"/> hears each tensor's index.
    /// </summary>
    public static void Write(ModelConfig config, string directory, int seed, SafeTensorsDType dtype = SafeTensorsDType.F32, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var layout = Layout(config);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["galaxy.synthetic_seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        SafeTensorsWriter.Write(Path.Combine(directory, "model.safetensors"), layout, i => Values(layout[i].Name, layout[i].Shape, seed), dtype, metadata, progress);
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJson());
    }

    private static int StableHash(string text)
    {
        // FNV-1a: string.GetHashCode is randomised per process, and the values must not be.
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }
}

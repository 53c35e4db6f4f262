using System.Text.Json;
using System.Text.Json.Nodes;

namespace Galaxy.Kernels.Model;

/// <summary>
/// The shape of a Transformer, normalised across the Hugging Face <c>config.json</c> spellings of
/// BERT, DistilBERT, GPT-2 and OPT.
/// </summary>
public sealed record ModelConfig
{
    public required ModelArchitecture Architecture { get; init; }

    /// <summary>H: width of the residual stream.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Attention heads per layer; divides <see cref="HiddenSize"/>.</summary>
    public required int Heads { get; init; }

    public required int Layers { get; init; }

    /// <summary>F: width of the MLP's hidden layer.</summary>
    public required int IntermediateSize { get; init; }

    public required int VocabularySize { get; init; }

    /// <summary>Longest sequence the learned position table allows.</summary>
    public required int MaxPositions { get; init; }

    /// <summary>Rows of the token-type table (0 when the model has none).</summary>
    public int TypeVocabularySize { get; init; }

    public required float LayerNormEpsilon { get; init; }

    public required Activation Activation { get; init; }

    /// <summary>True for pre-LN decoders (LayerNorm before each block), false for post-LN encoders.</summary>
    public bool PreLayerNorm => Architecture is ModelArchitecture.Gpt2 or ModelArchitecture.Opt;

    /// <summary>True for causal decoders.</summary>
    public bool IsDecoder => PreLayerNorm;

    /// <summary>Rows the position table has before position 0 (OPT keeps 2).</summary>
    public int PositionOffset => Architecture == ModelArchitecture.Opt ? 2 : 0;

    /// <summary>Width of one attention head: <see cref="HiddenSize"/> / <see cref="Heads"/>.</summary>
    public int HeadDim => HiddenSize / Heads;

    /// <summary>Reads and validates <c>config.json</c>.</summary>
    /// <exception cref="InvalidDataException">The file is not a config Galaxy understands; the message says why.</exception>
    public static ModelConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No model config at '{path}'.", path);
        }

        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Parses and validates the text of a <c>config.json</c>.</summary>
    /// <exception cref="InvalidDataException">Unknown model type, missing or contradictory fields.</exception>
    public static ModelConfig Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("config.json is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"config.json is not valid JSON: {ex.Message}", ex);
        }

        var type = root["model_type"]?.GetValueKind() == JsonValueKind.String ? root["model_type"]!.GetValue<string>() : null;
        var config = type switch
        {
            "bert" => new ModelConfig
            {
                Architecture = ModelArchitecture.Bert,
                HiddenSize = Int(root, "hidden_size"),
                Heads = Int(root, "num_attention_heads"),
                Layers = Int(root, "num_hidden_layers"),
                IntermediateSize = Int(root, "intermediate_size"),
                VocabularySize = Int(root, "vocab_size"),
                MaxPositions = Int(root, "max_position_embeddings"),
                TypeVocabularySize = Int(root, "type_vocab_size", 2),
                LayerNormEpsilon = Float(root, "layer_norm_eps", 1e-12f),
                Activation = ActivationOf(root, "hidden_act", "gelu"),
            },
            "distilbert" => new ModelConfig
            {
                Architecture = ModelArchitecture.DistilBert,
                HiddenSize = Int(root, "dim"),
                Heads = Int(root, "n_heads"),
                Layers = Int(root, "n_layers"),
                IntermediateSize = Int(root, "hidden_dim"),
                VocabularySize = Int(root, "vocab_size"),
                MaxPositions = Int(root, "max_position_embeddings"),
                LayerNormEpsilon = 1e-12f,
                Activation = ActivationOf(root, "activation", "gelu"),
            },
            "gpt2" => Gpt2(root),
            "opt" => Opt(root),
            null => throw new InvalidDataException("config.json has no \"model_type\"; expected one of bert, distilbert, gpt2, opt."),
            _ => throw new InvalidDataException($"model_type \"{type}\" is not supported; expected one of bert, distilbert, gpt2, opt."),
        };
        config.Validate();
        return config;
    }

    /// <summary>The Hugging Face <c>config.json</c> text for this config (what <see cref="Parse"/> reads back).</summary>
    public string ToJson()
    {
        var activation = Activation switch
        {
            Activation.GeluErf => "gelu",
            Activation.GeluTanh => "gelu_new",
            _ => "relu",
        };
        JsonObject root = Architecture switch
        {
            ModelArchitecture.Bert => new JsonObject
            {
                ["model_type"] = "bert",
                ["architectures"] = new JsonArray("BertModel"),
                ["hidden_size"] = HiddenSize,
                ["num_attention_heads"] = Heads,
                ["num_hidden_layers"] = Layers,
                ["intermediate_size"] = IntermediateSize,
                ["vocab_size"] = VocabularySize,
                ["max_position_embeddings"] = MaxPositions,
                ["type_vocab_size"] = TypeVocabularySize,
                ["layer_norm_eps"] = LayerNormEpsilon,
                ["hidden_act"] = activation,
            },
            ModelArchitecture.DistilBert => new JsonObject
            {
                ["model_type"] = "distilbert",
                ["architectures"] = new JsonArray("DistilBertModel"),
                ["dim"] = HiddenSize,
                ["n_heads"] = Heads,
                ["n_layers"] = Layers,
                ["hidden_dim"] = IntermediateSize,
                ["vocab_size"] = VocabularySize,
                ["max_position_embeddings"] = MaxPositions,
                ["activation"] = activation,
            },
            ModelArchitecture.Gpt2 => new JsonObject
            {
                ["model_type"] = "gpt2",
                ["architectures"] = new JsonArray("GPT2LMHeadModel"),
                ["n_embd"] = HiddenSize,
                ["n_head"] = Heads,
                ["n_layer"] = Layers,
                ["n_inner"] = IntermediateSize,
                ["vocab_size"] = VocabularySize,
                ["n_positions"] = MaxPositions,
                ["layer_norm_epsilon"] = LayerNormEpsilon,
                ["activation_function"] = activation,
            },
            _ => new JsonObject
            {
                ["model_type"] = "opt",
                ["architectures"] = new JsonArray("OPTForCausalLM"),
                ["hidden_size"] = HiddenSize,
                ["num_attention_heads"] = Heads,
                ["num_hidden_layers"] = Layers,
                ["ffn_dim"] = IntermediateSize,
                ["vocab_size"] = VocabularySize,
                ["max_position_embeddings"] = MaxPositions,
                ["word_embed_proj_dim"] = HiddenSize,
                ["do_layer_norm_before"] = true,
                ["activation_function"] = activation,
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Checks the config is internally consistent.</summary>
    /// <exception cref="InvalidDataException">A size is not positive or the heads do not divide the hidden size.</exception>
    public void Validate()
    {
        Positive(HiddenSize, "hidden size");
        Positive(Heads, "head count");
        Positive(Layers, "layer count");
        Positive(IntermediateSize, "intermediate size");
        Positive(VocabularySize, "vocabulary size");
        Positive(MaxPositions, "max positions");
        if (HiddenSize % Heads != 0)
        {
            throw new InvalidDataException($"{Heads} attention heads do not divide the hidden size {HiddenSize}.");
        }

        if (TypeVocabularySize < 0)
        {
            throw new InvalidDataException($"Token-type vocabulary size must be ≥ 0, got {TypeVocabularySize}.");
        }

        if (!(LayerNormEpsilon > 0f) || !float.IsFinite(LayerNormEpsilon))
        {
            throw new InvalidDataException($"LayerNorm epsilon must be a positive number, got {LayerNormEpsilon}.");
        }
    }

    private static ModelConfig Gpt2(JsonObject root)
    {
        var hidden = Int(root, "n_embd");
        return new ModelConfig
        {
            Architecture = ModelArchitecture.Gpt2,
            HiddenSize = hidden,
            Heads = Int(root, "n_head"),
            Layers = Int(root, "n_layer"),
            IntermediateSize = root["n_inner"] is null || root["n_inner"]!.GetValueKind() == JsonValueKind.Null ? 4 * hidden : Int(root, "n_inner"),
            VocabularySize = Int(root, "vocab_size"),
            MaxPositions = Int(root, "n_positions"),
            LayerNormEpsilon = Float(root, "layer_norm_epsilon", 1e-5f),
            Activation = ActivationOf(root, "activation_function", "gelu_new"),
        };
    }

    private static ModelConfig Opt(JsonObject root)
    {
        var hidden = Int(root, "hidden_size");
        if (root["do_layer_norm_before"] is { } before && before.GetValueKind() == JsonValueKind.False)
        {
            throw new InvalidDataException("OPT with do_layer_norm_before = false (post-LN, OPT-350m) is not supported.");
        }

        if (root["word_embed_proj_dim"] is { } projection && projection.GetValueKind() == JsonValueKind.Number && projection.GetValue<int>() != hidden)
        {
            throw new InvalidDataException($"OPT with word_embed_proj_dim {projection.GetValue<int>()} ≠ hidden_size {hidden} (projected embeddings) is not supported.");
        }

        return new ModelConfig
        {
            Architecture = ModelArchitecture.Opt,
            HiddenSize = hidden,
            Heads = Int(root, "num_attention_heads"),
            Layers = Int(root, "num_hidden_layers"),
            IntermediateSize = Int(root, "ffn_dim"),
            VocabularySize = Int(root, "vocab_size"),
            MaxPositions = Int(root, "max_position_embeddings"),
            LayerNormEpsilon = 1e-5f,
            Activation = ActivationOf(root, "activation_function", "relu"),
        };
    }

    private static int Int(JsonObject root, string key, int? fallback = null)
    {
        var node = root[key];
        if (node is null)
        {
            return fallback ?? throw new InvalidDataException($"config.json lacks \"{key}\".");
        }

        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue(out int value))
        {
            throw new InvalidDataException($"config.json \"{key}\" must be an integer, got {node.ToJsonString()}.");
        }

        return value;
    }

    private static float Float(JsonObject root, string key, float fallback)
    {
        var node = root[key];
        if (node is null)
        {
            return fallback;
        }

        if (node.GetValueKind() != JsonValueKind.Number)
        {
            throw new InvalidDataException($"config.json \"{key}\" must be a number, got {node.ToJsonString()}.");
        }

        return (float)node.GetValue<double>();
    }

    private static Activation ActivationOf(JsonObject root, string key, string fallback)
    {
        var name = root[key] is { } node && node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : fallback;
        return name switch
        {
            "gelu" => Activation.GeluErf,
            "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => Activation.GeluTanh,
            "relu" => Activation.Relu,
            _ => throw new InvalidDataException($"config.json \"{key}\" = \"{name}\" is not supported; expected gelu, gelu_new or relu."),
        };
    }

    private static void Positive(int value, string what)
    {
        if (value < 1)
        {
            throw new InvalidDataException($"The {what} must be ≥ 1, got {value}.");
        }
    }
}

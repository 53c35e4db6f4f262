using Galaxy.Kernels.Model;

namespace Galaxy.Kernels.Tests.Model;

public sealed class ModelConfigTests
{
    [Fact]
    public void Parse_MiniLmStyleBertConfig_ReadsEveryField()
    {
        const string json = """
            {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": 384, "num_attention_heads": 12,
             "num_hidden_layers": 6, "intermediate_size": 1536, "vocab_size": 30522, "max_position_embeddings": 512,
             "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}
            """;

        var config = ModelConfig.Parse(json);

        Assert.Equal(ModelArchitecture.Bert, config.Architecture);
        Assert.Equal((384, 12, 6, 1536, 30522, 512, 2, 32), (config.HiddenSize, config.Heads, config.Layers, config.IntermediateSize, config.VocabularySize, config.MaxPositions, config.TypeVocabularySize, config.HeadDim));
        Assert.Equal(Activation.GeluErf, config.Activation);
        Assert.False(config.IsDecoder);
    }

    [Fact]
    public void Parse_Gpt2Config_DefaultsInnerToFourTimesHidden()
    {
        var config = ModelConfig.Parse("""{"model_type": "gpt2", "n_embd": 768, "n_head": 12, "n_layer": 12, "n_inner": null, "vocab_size": 50257, "n_positions": 1024, "activation_function": "gelu_new"}""");

        Assert.Equal(3072, config.IntermediateSize);
        Assert.Equal(Activation.GeluTanh, config.Activation);
        Assert.True(config.IsDecoder);
        Assert.Equal(1e-5f, config.LayerNormEpsilon);
    }

    [Fact]
    public void Parse_OptConfig_HasPositionOffsetTwoAndRelu()
    {
        var config = ModelConfig.Parse("""{"model_type": "opt", "hidden_size": 768, "num_attention_heads": 12, "num_hidden_layers": 12, "ffn_dim": 3072, "vocab_size": 50272, "max_position_embeddings": 2048, "do_layer_norm_before": true, "word_embed_proj_dim": 768, "activation_function": "relu"}""");

        Assert.Equal(2, config.PositionOffset);
        Assert.Equal(Activation.Relu, config.Activation);
    }

    [Theory]
    [InlineData(ModelArchitecture.Bert)]
    [InlineData(ModelArchitecture.DistilBert)]
    [InlineData(ModelArchitecture.Gpt2)]
    [InlineData(ModelArchitecture.Opt)]
    public void ToJson_RoundTrips(ModelArchitecture architecture)
    {
        var config = TinyModels.Of(architecture);

        Assert.Equal(config, ModelConfig.Parse(config.ToJson()));
    }

    [Theory]
    [InlineData("""{"hidden_size": 8}""", "model_type")]
    [InlineData("""{"model_type": "llama"}""", "llama")]
    [InlineData("""not json""", "not valid JSON")]
    [InlineData("""[1, 2]""", "not a JSON object")]
    [InlineData("""{"model_type": "bert", "hidden_size": 10, "num_attention_heads": 3, "num_hidden_layers": 1, "intermediate_size": 4, "vocab_size": 5, "max_position_embeddings": 8}""", "do not divide")]
    [InlineData("""{"model_type": "bert", "hidden_size": 12, "num_attention_heads": 3, "num_hidden_layers": 1, "intermediate_size": 4, "vocab_size": 5}""", "max_position_embeddings")]
    [InlineData("""{"model_type": "bert", "hidden_size": "big", "num_attention_heads": 3}""", "must be an integer")]
    [InlineData("""{"model_type": "bert", "hidden_size": 12, "num_attention_heads": 3, "num_hidden_layers": 0, "intermediate_size": 4, "vocab_size": 5, "max_position_embeddings": 8}""", "layer count")]
    [InlineData("""{"model_type": "bert", "hidden_size": 12, "num_attention_heads": 3, "num_hidden_layers": 1, "intermediate_size": 4, "vocab_size": 5, "max_position_embeddings": 8, "hidden_act": "swish"}""", "swish")]
    [InlineData("""{"model_type": "opt", "hidden_size": 12, "num_attention_heads": 3, "num_hidden_layers": 1, "ffn_dim": 4, "vocab_size": 5, "max_position_embeddings": 8, "do_layer_norm_before": false}""", "post-LN")]
    public void Parse_BadConfig_ThrowsNamingTheProblem(string json, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ModelConfig.Load(Path.Combine(Path.GetTempPath(), "no-such-galaxy-config.json")));
    }

    [Fact]
    public void Presets_PaperModels_HaveTheirPublishedShapes()
    {
        var bertLarge = ModelPresets.Get("bert-large");
        Assert.Equal((1024, 16, 24, 4096), (bertLarge.HiddenSize, bertLarge.Heads, bertLarge.Layers, bertLarge.IntermediateSize));
        var gpt2Large = ModelPresets.Get("gpt2-large");
        Assert.Equal((1280, 20, 36, 5120), (gpt2Large.HiddenSize, gpt2Large.Heads, gpt2Large.Layers, gpt2Large.IntermediateSize));
        Assert.Contains("known:", Assert.Throws<ArgumentException>(() => ModelPresets.Get("bert-huge")).Message, StringComparison.Ordinal);
    }
}

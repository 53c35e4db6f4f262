using System.Text.Json;
using Galaxy.Kernels.Model;

namespace Galaxy.Models.Tests.Cli;

/// <summary>The <c>galaxy</c> commands of a single device, run as processes the way a user runs them.</summary>
[Collection(MiniLmCollectionDefinition.Name)]
public sealed class GalaxyCliTests : IDisposable
{
    private readonly string _cache = Path.Combine(AppContext.BaseDirectory, "models-cache", "cli");
    private readonly string _scratch = Directory.CreateTempSubdirectory("galaxy-cli-").FullName;

    [Fact]
    public void Embed_MiniLmJson_GivesTokenIdsAndUnitLengthEmbeddings()
    {
        var (exit, output, error) = GalaxyCli.Run(_cache, "embed", "--model", "minilm", "--json", "Hello, world!", "A second sentence.");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("minilm", json.RootElement.GetProperty("model").GetString());
        var results = json.RootElement.GetProperty("results");
        Assert.Equal(2, results.GetArrayLength());
        Assert.Equal([101, 7592, 1010, 2088, 999, 102], results[0].GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt32()));
        var embedding = results[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(384, embedding.Length);
        Assert.Equal(1.0, Math.Sqrt(embedding.Sum(v => v * v)), 4);
    }

    [Fact]
    public void Generate_SyntheticGpt2_IsRepeatableAndReportsTiming()
    {
        var config = new ModelConfig
        {
            Architecture = ModelArchitecture.Gpt2, HiddenSize = 64, Heads = 4, Layers = 2, IntermediateSize = 128,
            VocabularySize = 50257, MaxPositions = 64, LayerNormEpsilon = 1e-5f, Activation = Activation.GeluTanh,
        };
        SyntheticCheckpoint.Write(config, _scratch, seed: 5);
        string[] arguments = ["generate", "--model", _scratch, "--prompt", "Edge devices", "--max-tokens", "6", "--temperature", "0.9", "--top-k", "50", "--seed", "7", "--json"];

        var first = GalaxyCli.Run(_cache, arguments);
        var second = GalaxyCli.Run(_cache, arguments);

        Assert.True(first.ExitCode == 0, first.Error);
        using var json = JsonDocument.Parse(first.Output);
        Assert.Equal([37021, 4410], json.RootElement.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(6, json.RootElement.GetProperty("generated_ids").GetArrayLength());
        Assert.True(json.RootElement.GetProperty("prefill_ms").GetDouble() > 0);
        Assert.Equal(first.Output.Split("\"prefill_ms\"")[0], second.Output.Split("\"prefill_ms\"")[0]);
    }

    [Theory]
    [InlineData("embed --model /no/such/model hi", "neither a model directory")]
    [InlineData("synth --arch bert-huge --out x", "Unknown architecture 'bert-huge'")]
    [InlineData("synth --arch gpt2 --out x --dtype f8", "--dtype must be")]
    [InlineData("convert --onnx /no/such.onnx --out x", "does not exist")]
    [InlineData("generate --model minilm --prompt hi --max-tokens 3", "encoder; generate needs a decoder")]
    [InlineData("embed --model minilm --threads 0 hi", "--threads must be at least 1")]
    public void Command_BadInput_ExitsTwoWithAClearMessage(string commandLine, string expected)
    {
        var (exit, _, error) = GalaxyCli.Run(_cache, commandLine.Split(' '));

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Embed_TextLongerThanThePositions_FailsUnlessTruncated()
    {
        var text = string.Join(' ', Enumerable.Repeat("word", 600));

        var refused = GalaxyCli.Run(_cache, "embed", "--model", "minilm", text);
        var truncated = GalaxyCli.Run(_cache, "embed", "--model", "minilm", "--truncate", "--json", text);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("512", refused.Error, StringComparison.Ordinal);
        Assert.True(truncated.ExitCode == 0, truncated.Error);
        using var json = JsonDocument.Parse(truncated.Output);
        Assert.Equal(512, json.RootElement.GetProperty("results")[0].GetProperty("token_ids").GetArrayLength());
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}

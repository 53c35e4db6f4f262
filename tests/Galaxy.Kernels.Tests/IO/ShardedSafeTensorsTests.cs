using Galaxy.Kernels.IO;

namespace Galaxy.Kernels.Tests.IO;

public sealed class ShardedSafeTensorsTests : IDisposable
{
    private const string IndexName = "model.safetensors.index.json";
    private const string Shard1 = "model-00001-of-00002.safetensors";
    private const string Shard2 = "model-00002-of-00002.safetensors";

    private readonly TempDirectory _directory = new();
    private readonly float[] _query = TestData.Uniform(4 * 6, seed: 330);
    private readonly float[] _bias = TestData.Uniform(6, seed: 331);
    private readonly float[] _output = TestData.Uniform(6 * 4, seed: 332);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Open_TwoShards_RoutesEveryTensorToItsShard()
    {
        WriteShards();
        WriteIndex("""
            {"metadata": {"total_size": 216, "format": "pt"},
             "weight_map": {"layer.0.query.weight": "model-00001-of-00002.safetensors",
                            "layer.0.query.bias": "model-00001-of-00002.safetensors",
                            "layer.0.output.weight": "model-00002-of-00002.safetensors"}}
            """);

        using var source = ShardedSafeTensors.Open(_directory.File(IndexName));

        Assert.Equal(["layer.0.query.weight", "layer.0.query.bias", "layer.0.output.weight"], source.Names);
        Assert.Equal([_directory.File(Shard1), _directory.File(Shard2)], source.ShardPaths);
        Assert.Equal(_directory.File(Shard2), source.Info("layer.0.output.weight").Source);
        Assert.Equal("216", source.Metadata["total_size"]);
        Assert.Equal("pt", source.Metadata["format"]);

        var query = new float[_query.Length];
        source.Read("layer.0.query.weight", query);
        Assert.Equal(_query, query);

        var bias = new float[2];
        source.ReadRows("layer.0.query.bias", 4, 2, bias);
        Assert.Equal(_bias[4..], bias);

        var columns = new float[6 * 2];
        source.ReadColumns("layer.0.output.weight", 2, 2, columns);
        Assert.Equal(Enumerable.Range(0, 6).SelectMany(r => new[] { _output[(r * 4) + 2], _output[(r * 4) + 3] }), columns);
    }

    [Fact]
    public void Read_TensorNotInIndex_ThrowsKeyNotFoundNamingTensorAndIndex()
    {
        WriteShards();
        WriteIndex("""{"weight_map": {"layer.0.query.weight": "model-00001-of-00002.safetensors"}}""");
        using var source = ShardedSafeTensors.Open(_directory.File(IndexName));

        // layer.0.query.bias is in shard 1 but not in the index: the index is what routes.
        var error = Assert.Throws<KeyNotFoundException>(() => source.Read("layer.0.query.bias", new float[6]));

        Assert.Contains("'layer.0.query.bias'", error.Message, StringComparison.Ordinal);
        Assert.Contains(_directory.File(IndexName), error.Message, StringComparison.Ordinal);
        Assert.False(source.TryGetInfo("layer.0.query.bias", out _));
        Assert.Empty(source.Metadata);
    }

    [Fact]
    public void Open_MissingShardFile_ThrowsInvalidDataNamingIndexAndShard()
    {
        WriteShards();
        WriteIndex("""{"weight_map": {"layer.0.query.weight": "model-00001-of-00002.safetensors", "x": "model-00003-of-00002.safetensors"}}""");

        var error = Assert.Throws<InvalidDataException>(() => ShardedSafeTensors.Open(_directory.File(IndexName)));

        Assert.Contains(_directory.File(IndexName), error.Message, StringComparison.Ordinal);
        Assert.Contains("model-00003-of-00002.safetensors", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TensorAbsentFromItsShard_ThrowsInvalidDataNamingTensorAndShard()
    {
        WriteShards();
        WriteIndex("""{"weight_map": {"layer.0.output.weight": "model-00001-of-00002.safetensors"}}""");

        var error = Assert.Throws<InvalidDataException>(() => ShardedSafeTensors.Open(_directory.File(IndexName)));

        Assert.Contains(_directory.File(IndexName), error.Message, StringComparison.Ordinal);
        Assert.Contains("'layer.0.output.weight'", error.Message, StringComparison.Ordinal);
        Assert.Contains(Shard1, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MalformedShard_ThrowsInvalidDataNamingTheShard()
    {
        WriteShards();
        File.WriteAllBytes(_directory.File(Shard2), [1, 2, 3]);
        WriteIndex("""{"weight_map": {"layer.0.query.weight": "model-00001-of-00002.safetensors", "layer.0.output.weight": "model-00002-of-00002.safetensors"}}""");

        var error = Assert.Throws<InvalidDataException>(() => ShardedSafeTensors.Open(_directory.File(IndexName)));

        Assert.Contains(_directory.File(Shard2), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"weight_map\": ", "not valid JSON")]
    [InlineData("[]", "is a JSON Array, not an object")]
    [InlineData("{\"metadata\": {}}", "no 'weight_map' object")]
    [InlineData("{\"weight_map\": [\"a\"]}", "no 'weight_map' object")]
    [InlineData("{\"weight_map\": {\"w\": 1}}", "weight_map entry 'w' is a JSON Number")]
    [InlineData("{\"weight_map\": {\"w\": \"../model.safetensors\"}}", "plain file names")]
    [InlineData("{\"weight_map\": {\"w\": \"\"}}", "plain file names")]
    [InlineData("{\"weight_map\": {\"w\": \"a.safetensors\", \"w\": \"a.safetensors\"}}", "appears twice")]
    [InlineData("{\"metadata\": 3, \"weight_map\": {}}", "'metadata' is a JSON Number")]
    [InlineData("{\"weight_map\": {\"\\uD800\": \"a.safetensors\"}}", "not valid text")]
    public void Open_MalformedIndex_ThrowsInvalidDataNamingIndex(string index, string problem)
    {
        WriteIndex(index);

        var error = Assert.Throws<InvalidDataException>(() => ShardedSafeTensors.Open(_directory.File(IndexName)));

        Assert.Contains(_directory.File(IndexName), error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_ThenRead_ThrowsObjectDisposed()
    {
        WriteShards();
        WriteIndex("""{"weight_map": {"layer.0.query.weight": "model-00001-of-00002.safetensors"}}""");
        var source = ShardedSafeTensors.Open(_directory.File(IndexName));

        source.Dispose();

        Assert.Throws<ObjectDisposedException>(() => source.Read("layer.0.query.weight", new float[_query.Length]));
        Assert.Throws<ObjectDisposedException>(() => source.Names);
    }

    private void WriteShards()
    {
        SafeTensorsWriter.Write(_directory.File(Shard1), [new SafeTensor("layer.0.query.weight", [4, 6], _query), new SafeTensor("layer.0.query.bias", [6], _bias)]);
        SafeTensorsWriter.Write(_directory.File(Shard2), [new SafeTensor("layer.0.output.weight", [6, 4], _output)]);
    }

    private void WriteIndex(string json) => File.WriteAllText(_directory.File(IndexName), json);
}

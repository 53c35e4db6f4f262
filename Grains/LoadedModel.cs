using Galaxy.Kernels.Model;

namespace Galaxy.Grains;

/// <summary>A model as a device knows it before any slice is loaded: its directory, config and tokenizer.</summary>
public sealed record LoadedModel(string Id, string Directory, ModelConfig Config, ModelTokenizer Tokenizer);

namespace Galaxy.Models.Tests;

/// <summary>Test classes in this collection share one <see cref="MiniLmFixture"/>: MiniLM is extracted, converted and loaded into ONNX Runtime once per run.</summary>
[CollectionDefinition(Name)]
public sealed class MiniLmCollectionDefinition : ICollectionFixture<MiniLmFixture>
{
    public const string Name = "MiniLM";
}

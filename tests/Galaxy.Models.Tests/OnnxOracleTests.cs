using Microsoft.ML.OnnxRuntime.Tensors;

namespace Galaxy.Models.Tests;

[Collection(MiniLmCollectionDefinition.Name)]
public sealed class OnnxOracleTests(MiniLmFixture miniLm)
{
    private static readonly int[] HelloWorld = [101, 7592, 1010, 2088, 999, 102];

    [Fact]
    public void Session_MiniLm_TakesInt64IdsMaskAndTypesAndGivesLastHiddenStateAndPooledOutput()
    {
        Assert.Equal(MiniLmFixture.InputNames, miniLm.OnnxInputs.Keys);
        Assert.All(miniLm.OnnxInputs.Values, input =>
        {
            Assert.Equal(TensorElementType.Int64, input.ElementDataType);
            Assert.Equal([-1, -1], input.Dimensions);
        });
        Assert.Equal([MiniLmFixture.LastHiddenStateName, "924"], miniLm.OnnxOutputs.Keys);
        Assert.Equal([-1, -1, MiniLmFixture.Hidden], miniLm.OnnxOutputs[MiniLmFixture.LastHiddenStateName].Dimensions);
        Assert.Equal([-1, MiniLmFixture.Hidden], miniLm.OnnxOutputs["924"].Dimensions); // the pooler: tanh(dense(CLS row))
    }

    [Fact]
    public void RunOnnx_HelloWorld_GivesOneFiniteHiddenRowPerToken()
    {
        var hidden = miniLm.RunOnnx(HelloWorld, [1, 1, 1, 1, 1, 1], new int[6], batch: 1, seq: 6);

        Assert.Equal(6 * MiniLmFixture.Hidden, hidden.Length);
        Assert.All(hidden, value => Assert.True(float.IsFinite(value)));
        // Contextual states: the [CLS] row is not a copy of the next token's.
        Assert.NotEqual(hidden.AsSpan(0, MiniLmFixture.Hidden).ToArray(), hidden.AsSpan(MiniLmFixture.Hidden, MiniLmFixture.Hidden).ToArray());
    }

    [Fact]
    public void RunOnnx_PaddedBatch_LeavesTheRealTokensUnchanged()
    {
        const int Seq = 8;
        var alone = miniLm.RunOnnx(HelloWorld, [1, 1, 1, 1, 1, 1], new int[6], batch: 1, seq: 6);
        int[] ids = [.. HelloWorld, 0, 0, 101, 2023, 2003, 1037, 2936, 6251, 2182, 102];
        int[] mask = [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];

        var batched = miniLm.RunOnnx(ids, mask, new int[2 * Seq], batch: 2, seq: Seq);

        Assert.Equal(2 * Seq * MiniLmFixture.Hidden, batched.Length);
        var worst = 0f;
        for (var i = 0; i < alone.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(alone[i] - batched[i]));
        }

        Assert.True(worst < 1e-4f, $"padding changed the real tokens' hidden states by up to {worst}");
    }
}

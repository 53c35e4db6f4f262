using System.Reflection.Emit;
using Galaxy.Grains.Profiling;

namespace Galaxy.Grains.Tests;

/// <summary>The warm-up's "the JIT is done" check sees a method compiled between two batches.</summary>
public sealed class JitWarmUpTests
{
    [Fact]
    public async Task BatchSettled_AMethodCompiledSinceTheLastCheck_IsFalse()
    {
        var warmUp = new JitWarmUp();
        await warmUp.BatchSettledAsync(TestContext.Current.CancellationToken);

        // A dynamic method is compiled the first time it runs.
        var method = new DynamicMethod("answer", typeof(int), Type.EmptyTypes);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldc_I4, 42);
        il.Emit(OpCodes.Ret);
        Assert.Equal(42, ((Func<int>)method.CreateDelegate(typeof(Func<int>)))());

        Assert.False(await warmUp.BatchSettledAsync(TestContext.Current.CancellationToken));
    }
}

using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Tests.Threading;

public sealed class KernelThreadsTests
{
    [Fact]
    public void Dispose_SingleThreadPool_DoesNotThrow()
    {
        var pool = new KernelThreads(1);
        var ran = 0;
        pool.For(3, _ => ran++);

        pool.Dispose();

        Assert.Equal(3, ran);
    }
}

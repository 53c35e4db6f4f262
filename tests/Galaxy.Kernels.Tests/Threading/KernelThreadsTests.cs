using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Tests.Threading;

public sealed class KernelThreadsTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 5)]
    [InlineData(2, 1)]
    [InlineData(2, 1000)]
    [InlineData(3, 17)]
    public void For_AnyCount_RunsEachIndexExactlyOnce(int threads, int count)
    {
        using var pool = new KernelThreads(threads);
        var hits = new int[count];

        for (var repeat = 0; repeat < 20; repeat++)
        {
            pool.For(count, i => Interlocked.Increment(ref hits[i]));
        }

        Assert.All(hits, h => Assert.Equal(20, h));
    }

    [Fact]
    public void For_BodyThrows_SurfacesTheFailureAndStaysUsable()
    {
        using var pool = new KernelThreads(2);

        var error = Assert.Throws<AggregateException>(() => pool.For(10, i =>
        {
            if (i == 7)
            {
                throw new InvalidOperationException("boom");
            }
        }));
        Assert.IsType<InvalidOperationException>(error.InnerException);

        var sum = 0;
        pool.For(10, i => Interlocked.Add(ref sum, i));
        Assert.Equal(45, sum);
    }

    [Fact]
    public void For_CalledFromInsideABody_RunsInline()
    {
        using var pool = new KernelThreads(2);
        var total = 0;

        pool.For(4, _ => pool.For(3, _ => Interlocked.Increment(ref total)));

        Assert.Equal(12, total);
    }

    [Fact]
    public void For_ConcurrentCallers_AreSerialisedAndComplete()
    {
        using var pool = new KernelThreads(2);
        var total = 0;

        System.Threading.Tasks.Parallel.For(0, 8, _ => pool.For(50, _ => Interlocked.Increment(ref total)));

        Assert.Equal(400, total);
    }

    [Fact]
    public void Dispose_SingleThreadPool_DoesNotThrow()
    {
        var pool = new KernelThreads(1);
        var ran = 0;
        pool.For(3, _ => ran++);

        pool.Dispose();

        Assert.Equal(3, ran);
    }

    [Fact]
    public void Constructor_ZeroThreads_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KernelThreads(0));
    }

    [Fact]
    public void For_AfterDispose_Throws()
    {
        var pool = new KernelThreads(2);
        pool.Dispose();
        pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pool.For(1, _ => { }));
    }
}

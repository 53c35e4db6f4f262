using Galaxy.Grains;
using Galaxy.Silo;

namespace Galaxy.SystemTests.Settings;

/// <summary><see cref="DeviceProfileReport"/>: the one line a device's silo logs about its measured profile.</summary>
public sealed class DeviceProfileReportTests
{
    [Fact]
    public void Describe_OneModel_ListsGemmsAttentionThreadsBudgetAndTime()
    {
        var profile = Profile(2, 6L << 30, 1_130, [MiniLm(85.4e9, 80e9, 90.6e9, 8.76e9)]);

        var line = DeviceProfileReport.Describe(profile);

        Assert.Equal("profile: minilm qkv 85, out 80, mlp-up 91, mlp-down 8.8, attention@32 40, @128 60, @512 70 GFLOP/s; 2 kernel threads, budget 6 GiB, measured in 1.1 s", line);
    }

    [Fact]
    public void Describe_TwoModelsOneThread_SeparatesModelsAndSaysThread()
    {
        var other = new ModelThroughput("tiny", 2, [new GemmThroughput(GemmBlocks.QueryKeyValue, 128, 64, 192, 3.31e9)], [new AttentionThroughput(32, 2, 32, 1.5e9)]);
        var profile = Profile(1, 768L << 20, 980, [MiniLm(85e9, 80e9, 90e9, 88e9), other]);

        var line = DeviceProfileReport.Describe(profile);

        Assert.Equal(
            "profile: minilm qkv 85, out 80, mlp-up 90, mlp-down 88, attention@32 40, @128 60, @512 70 GFLOP/s; tiny qkv 3.3, attention@32 1.5 GFLOP/s; 1 kernel thread, budget 768 MiB, measured in 1.0 s",
            line);
    }

    [Fact]
    public void Describe_NoModels_SaysSo()
    {
        var line = DeviceProfileReport.Describe(Profile(4, 1L << 30, 12, []));

        Assert.Equal("profile: no model served; 4 kernel threads, budget 1 GiB, measured in 0.0 s", line);
    }

    private static DeviceProfile Profile(int threads, long budget, double milliseconds, IReadOnlyList<ModelThroughput> models) =>
        new("dev1", "S127.0.0.1:11111:1", 2, threads, budget, DateTimeOffset.UnixEpoch, milliseconds, models);

    private static ModelThroughput MiniLm(double qkv, double output, double up, double down) => new(
        "minilm",
        6,
        [
            new GemmThroughput(GemmBlocks.QueryKeyValue, 128, 384, 1152, qkv),
            new GemmThroughput(GemmBlocks.Output, 128, 384, 384, output),
            new GemmThroughput(GemmBlocks.MlpUp, 128, 384, 1536, up),
            new GemmThroughput(GemmBlocks.MlpDown, 128, 1536, 384, down),
        ],
        [new AttentionThroughput(32, 12, 32, 40e9), new AttentionThroughput(128, 12, 32, 60e9), new AttentionThroughput(512, 12, 32, 70e9)]);
}

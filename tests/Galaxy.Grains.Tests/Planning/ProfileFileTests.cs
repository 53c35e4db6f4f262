using Galaxy.Grains.Planning;
using static Galaxy.Grains.Tests.Planning.PlanningFixtures;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>Profiles files: a valid file, the example profiles shipped in deploy/profiles, and each bad case with its message.</summary>
public sealed class ProfileFileTests
{
    private const string Valid = """
        { "devices": [
            { "name": "a", "memory_budget": "2 GiB", "gemm_gflops": 10, "attention_gflops": { "32": 2, "512": 8 },
              "link": { "mbit_per_second": 800, "latency_ms": 0.5 }, "models": { "minilm": { "gemm_gflops": 20 } } },
            { "name": "b", "memory_budget": 1000000, "gemm_gflops_by_block": { "qkv": 1, "out": 2, "mlp_up": 3, "mlp_down": 4 }, "attention_gflops": 5,
              "connective_rows_per_second": 1000, "link": { "mbit_per_second": 100 } } ],
          "links": [ { "from": "a", "to": "b", "mbit_per_second": 8, "latency_ms": 2, "both_ways": true } ] }
        """;

    [Fact]
    public void Parse_ValidFile_RatesBudgetsAndLinks()
    {
        var cluster = ProfileFile.Parse(Valid, "minilm", MiniLm);

        var a = cluster.Devices[0];
        Assert.Equal(20e9, a.Gemm.QueryKeyValue);
        Assert.Equal(2L << 30, a.MemoryBudgetBytes);
        Assert.Equal(5e9, a.AttentionFlopsPerSecond(128), 3);
        Assert.Equal(20e9 / (40 * 384), a.ConnectiveRowsPerSecond, 6);
        var b = cluster.Devices[1];
        Assert.Equal(new GemmRates(1e9, 2e9, 3e9, 4e9), b.Gemm);
        Assert.Equal(1000, b.ConnectiveRowsPerSecond);
        Assert.Equal(new LinkSpec(1e6, 2e-3), cluster.Link(1, 0));
        Assert.Equal(10e9, ProfileFile.Parse(Valid, "bert-large", MiniLm).Devices[0].Gemm.MlpUp);
    }

    [Fact]
    public void Parse_WithoutPlacement_EachDeviceOnItsOwnHost()
    {
        var cluster = ProfileFile.Parse(Valid, "minilm", MiniLm);

        Assert.All(cluster.Devices, d =>
        {
            Assert.Null(d.Host);
            Assert.Null(d.HostProcessorCount);
            Assert.Null(d.CpuQuotaCores);
            Assert.Null(d.KernelThreads);
        });
        Assert.Equal([1.0, 1.0], CostModel.Slowdowns(cluster, [0, 1]));
    }

    [Fact]
    public void Parse_WithPlacement_HostCpusQuotaAndThreads()
    {
        const string json = """
            { "devices": [
                { "name": "a", "memory_budget": 1000, "gemm_gflops": 1, "attention_gflops": 1, "host": "box", "host_cpus": 2, "threads": 2 },
                { "name": "b", "memory_budget": 1000, "gemm_gflops": 1, "attention_gflops": 1, "host": "box", "threads": 1, "cpu_quota": 0.5 },
                { "name": "c", "memory_budget": 1000, "gemm_gflops": 1, "attention_gflops": 1, "cpu_quota": 1.5 } ] }
            """;

        var cluster = ProfileFile.Parse(json, "minilm", MiniLm);

        var (a, b, c) = (cluster.Devices[0], cluster.Devices[1], cluster.Devices[2]);
        Assert.Equal(("box", 2, (double?)null, 2), (a.Host, a.HostProcessorCount, a.CpuQuotaCores, a.KernelThreads));
        Assert.Equal(("box", (int?)null, 0.5, 1), (b.Host, b.HostProcessorCount, b.CpuQuotaCores, b.KernelThreads));
        Assert.Equal((null, (int?)null, 1.5, (int?)null), (c.Host, c.HostProcessorCount, c.CpuQuotaCores, c.KernelThreads));

        // b takes its host's CPUs from a; together they ask 2 + 0.5 cores of 2.
        Assert.Equal(2, cluster.HostProcessorCount(1, [0, 1, 2]));
        Assert.Equal([1.25, 1.25, 1.0], CostModel.Slowdowns(cluster, [0, 1, 2]));
    }

    [Fact]
    public void Load_ExampleProfiles_AllParseAndPlan()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "deploy", "profiles");
        var files = Directory.GetFiles(directory, "*.json");

        Assert.True(files.Length >= 6, $"{files.Length} example profiles in {directory}");
        foreach (var file in files)
        {
            var cluster = ProfileFile.Load(file, "bert-large", Galaxy.Kernels.Model.ModelPresets.Get("bert-large"));
            var split = HeterogeneousPlanner.Plan(Galaxy.Kernels.Model.ModelPresets.Get("bert-large"), 128, cluster);
            Assert.True(split.Prediction.TotalSeconds > 0, file);
        }
    }

    [Fact]
    public void Load_SharedHostExample_LeavesTheSecondSiloOutAndSaysWhyUnlessQuotasKeepThemApart()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "deploy", "profiles");
        var model = Galaxy.Kernels.Model.ModelPresets.Get("bert-large");

        var shared = HeterogeneousPlanner.Plan(model, 256, ProfileFile.Load(Path.Combine(directory, "shared-host.json"), "bert-large", model));
        var quotas = HeterogeneousPlanner.Plan(model, 256, ProfileFile.Load(Path.Combine(directory, "shared-host-quotas.json"), "bert-large", model));

        // Two 4-thread silos on a 4-CPU host: together each computes 2× slower, so only one of them pays.
        Assert.Single(shared.Devices, d => d.StartsWith("n100", StringComparison.Ordinal));
        var left = Assert.Single(shared.Excluded);
        Assert.Contains("shares host n100's 4 CPUs", left.Reason, StringComparison.Ordinal);
        Assert.Contains("ask 8 cores, so each would compute 2× slower", left.Reason, StringComparison.Ordinal);

        // 2-core quotas on each: 4 cores asked of 4, no slowdown, both used.
        Assert.Equal(["n100-a", "n100-b", "shelf-pi5"], quotas.Devices);
        Assert.All(quotas.Prediction.Devices, d => Assert.Equal(1, d.Slowdown));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("""{ "devices": [] }""", "non-empty array")]
    [InlineData("""{ "devices": [ { "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1 } ] }""", "needs a non-empty string \"name\"")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1, "gpu": 1 } ] }""", "unknown field \"gpu\"")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "attention_gflops": 1 } ] }""", "needs \"gemm_gflops\"")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": -3, "attention_gflops": 1 } ] }""", "\"gemm_gflops\" must be a number > 0")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1 } ] }""", "needs \"attention_gflops\"")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": { "x": 1 } } ] }""", "not a sequence length")]
    [InlineData("""{ "devices": [ { "name": "a", "gemm_gflops": 1, "attention_gflops": 1 } ] }""", "needs \"memory_budget\"")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": "lots", "gemm_gflops": 1, "attention_gflops": 1 } ] }""", "is not a size")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1, "link": { "latency_ms": 1 } } ] }""", "needs \"mbit_per_second\"")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1, "link": { "mbit_per_second": 1, "latency_ms": -1 } } ] }""", "\"latency_ms\" must be a number ≥ 0")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1 }, { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1 } ] }""", "listed 2 times")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1 } ], "links": [ { "from": "a", "to": "z", "mbit_per_second": 1 } ] }""", "names device \"z\"")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1, "host_cpus": 2 } ] }""", "\"host_cpus\" needs \"host\"")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1, "host": "x" } ] }""", "host \"x\" (a): give its CPUs as \"host_cpus\"")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1, "host": "x", "host_cpus": 2 }, { "name": "b", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1, "host": "x", "host_cpus": 4 } ] }""", "disagree on \"host_cpus\" (a 2, b 4)")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1, "host": "", "host_cpus": 2 } ] }""", "\"host\" must be a non-empty string")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1, "host": "x", "host_cpus": 1.5 } ] }""", "\"host_cpus\" must be a whole number ≥ 1")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1, "cpu_quota": 0 } ] }""", "\"cpu_quota\" must be a number > 0")]
    [InlineData("""{ "devices": [ { "name": "a", "memory_budget": 1, "gemm_gflops": 1, "attention_gflops": 1, "threads": 0 } ] }""", "\"threads\" must be a whole number ≥ 1")]
    public void Parse_BadFile_ClearError(string json, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => ProfileFile.Parse(json, "minilm", MiniLm));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        var error = Assert.Throws<FileNotFoundException>(() => ProfileFile.Load("/nonexistent/profiles.json", "minilm", MiniLm));

        Assert.Contains("/nonexistent/profiles.json", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1024", 1024L)]
    [InlineData("6 GiB", 6L << 30)]
    [InlineData("1.5GB", 1_500_000_000L)]
    [InlineData("512 MiB", 512L << 20)]
    public void ParseBytes_SizesWithUnits(string text, long expected)
    {
        Assert.Equal(expected, ProfileFile.ParseBytes(text));
    }
}

using Galaxy.Client.Evaluation;
using Galaxy.Grains;

namespace Galaxy.SystemTests.Evaluation;

/// <summary>Setup files: the shipped ones read, JSON works as well as YAML, and every kind of bad file is refused with what is wrong.</summary>
public sealed class EvaluationSetupReaderTests
{
    private const string Valid = """
        name: mixed
        description: two devices
        devices:
          - { name: nano, cpu: 25%, link: 100mbit, delay: 2ms, memory: 1GiB }
          - { name: nx, cpu: 75.5%, link: 1gbit }
        device_counts: [1, 2]
        models: [distilbert, bert-large]
        seq: [64, 256]
        modes: [local, galaxy]
        bandwidths: [1gbit, setup]
        runs: 4
        warmup: 2
        """;

    [Fact]
    public void Parse_ValidYaml_EveryField()
    {
        var setup = EvaluationSetupReader.Parse(Valid, "mixed.yaml", cores: 2);

        Assert.Equal("mixed", setup.Name);
        Assert.Equal("two devices", setup.Description);
        Assert.Equal(["nano", "nx"], setup.Devices.Select(d => d.Name));
        Assert.Equal(new SetupDevice("nano", 25, "100mbit", 100_000_000, "2ms", 1L << 30), setup.Devices[0]);
        Assert.Equal(new SetupDevice("nx", 75.5, "1gbit", 1_000_000_000, "0", null), setup.Devices[1]);
        Assert.Equal([1, 2], setup.Counts);
        Assert.True(setup.IsSweep);
        Assert.Equal(["distilbert", "bert-large"], setup.Grid.Models);
        Assert.Equal([64, 256], setup.Grid.SequenceLengths);
        Assert.Equal([EvaluationMode.Local, EvaluationMode.Galaxy], setup.Grid.Modes);
        Assert.Equal(["1gbit", "setup"], setup.Grid.BandwidthLabels);
        Assert.Equal((4, 2), (setup.Grid.Runs, setup.Grid.Warmup));
        Assert.Equal("nano:25%:100mbit:2ms", setup.Devices[0].TestbedSpec());
        Assert.Equal("nx:75.5%:500mbit:0", setup.Devices[1].TestbedSpec("500mbit"));
    }

    [Fact]
    public void Parse_Json_SameAsYaml()
    {
        const string Json = """
            { "name": "j", "devices": [ { "name": "a", "cpu": "50%", "link": "1gbit", "delay": "1ms" } ], "seq": [32] }
            """;

        var setup = EvaluationSetupReader.Parse(Json, "j.json", cores: 2);

        Assert.Equal("j", setup.Name);
        Assert.Equal(new SetupDevice("a", 50, "1gbit", 1_000_000_000, "1ms", null), setup.Devices.Single());
        Assert.Equal([1], setup.Counts);
        Assert.False(setup.IsSweep);
        Assert.Equal(["bert-large"], setup.Grid.Models);
        Assert.Equal(ModeNames.All, setup.Grid.Modes);
        Assert.Equal([EvaluationGrid.SetupLinks], setup.Grid.BandwidthLabels);
        Assert.Equal((3, 1), (setup.Grid.Runs, setup.Grid.Warmup));
    }

    [Theory]
    [InlineData("heterogeneous.yaml", 3)]
    [InlineData("homogeneous.yaml", 3)]
    [InlineData("scalability.yaml", 4)]
    [InlineData("smoke.yaml", 2)]
    [InlineData("memory.yaml", 2)]
    public void Read_ShippedSetups_Valid(string file, int devices)
    {
        var setup = EvaluationSetupReader.Read(RepositoryFiles.Path("deploy", "eval", file), cores: 2);

        Assert.Equal(devices, setup.Devices.Count);
        Assert.True(EvaluationRunner.RunsOf(setup) > 0);
    }

    [Fact]
    public void Read_ShippedHeterogeneous_SharesSpanThreeTimesAndLinksMixed()
    {
        var setup = EvaluationSetupReader.Read(RepositoryFiles.Path("deploy", "eval", "heterogeneous.yaml"), cores: 2);

        Assert.True(setup.Devices.Max(d => d.CpuPercent) / setup.Devices.Min(d => d.CpuPercent) >= 3);
        Assert.True(setup.Devices.Select(d => d.Link).Distinct().Count() > 1);
        Assert.True(EvaluationTargets.IsHeterogeneous(setup));
    }

    [Theory]
    [InlineData("name: x\ndevices: []", "devices is missing or empty")]
    [InlineData("devices:\n  - { name: a, cpu: 50%, link: 1gbit }", "name must be 1-40 letters")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50, link: 1gbit }", "device 'a': cpu '50' is not a share like 30%")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: fast }", "device 'a': link 'fast' is not a rate")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: 1gbit, delay: 2 }", "device 'a': delay '2' is not like 2ms")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: 1gbit, memory: 1MiB }", "device 'a': memory '1MiB' is not a size of at least 64MiB")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: 1gbit }\n  - { name: a, cpu: 50%, link: 1gbit }", "device 'a' is listed twice")]
    [InlineData("name: x\ndevices:\n  - { name: client, cpu: 50%, link: 1gbit }", "device name 'client' must be")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 200%, link: 1gbit }\n  - { name: b, cpu: 150%, link: 1gbit }", "the CPU shares sum to 350% of one core, over 150% of this machine (2 cores = 200%)")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: 1gbit }\ndevice_counts: [1, 3]", "device_counts must rise from 1 to the 1 devices")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: 1gbit }\nmodels: [gpt9]", "unknown model 'gpt9'; the synthetic models are")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: 1gbit }\nseq: [600]", "sequence length 600 must be 1-512")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: 1gbit }\nmodes: [fast]", "unknown mode 'fast'; the modes are local, megatron, sp, galaxy-no-overlap, galaxy.")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: 1gbit }\nbandwidths: [1gbit, 1gbit]", "bandwidths lists a rate twice")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: 1gbit }\nbandwidths: [wifi]", "bandwidth 'wifi' is not a link rate")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: 1gbit }\nruns: 0", "runs must be 1-100, got 0.")]
    [InlineData("name: x\ndevices:\n  - { name: a, cpu: 50%, link: 1gbit }\nwarmup: 11", "warmup must be 0-10, got 11.")]
    [InlineData("name: x\ndevicez: []", "setup 's.yaml' line 2:")]
    [InlineData("", "setup 's.yaml' is empty.")]
    public void Parse_BadSetup_SaysWhatIsWrong(string text, string expected)
    {
        var error = Assert.Throws<EvaluationSetupException>(() => EvaluationSetupReader.Parse(text, "s.yaml", cores: 2));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("setup 's.yaml'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_SaysSo()
    {
        var error = Assert.Throws<EvaluationSetupException>(() => EvaluationSetupReader.Read("/nonexistent/setup.yaml", cores: 2));

        Assert.StartsWith("setup '/nonexistent/setup.yaml' cannot be read:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100mbit", true, 100_000_000L)]
    [InlineData("1GBIT", true, 1_000_000_000L)]
    [InlineData("2.5gbit", true, 2_500_000_000L)]
    [InlineData("500kbit", true, 500_000L)]
    [InlineData("50kbit", false, 0L)]
    [InlineData("1mbps", false, 0L)]
    [InlineData("", false, 0L)]
    public void TryParseRate_Cases(string text, bool ok, long bits)
    {
        Assert.Equal(ok, TestbedUnits.TryParseRate(text, out var parsed));
        Assert.Equal(bits, parsed);
    }

    [Theory]
    [InlineData("2ms", true, 2.0)]
    [InlineData("500us", true, 0.5)]
    [InlineData("0", true, 0.0)]
    [InlineData("1s", true, 1000.0)]
    [InlineData("2s", false, 2000.0)]
    [InlineData("2", false, 0.0)]
    public void TryParseDelay_Cases(string text, bool ok, double milliseconds)
    {
        Assert.Equal(ok, TestbedUnits.TryParseDelay(text, out var parsed));
        Assert.Equal(milliseconds, parsed, 9);
    }
}

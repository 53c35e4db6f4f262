using System.CommandLine;
using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Spectre.Console;

namespace Galaxy.Client.Commands;

/// <summary>
/// <c>galaxy synth --arch bert-large --out &lt;dir&gt;</c>: a paper-sized model with seeded random weights, in the
/// family's Hugging Face layout, so benchmarks run the real loading path without downloading anything.
/// </summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--arch") { Description = $"One of: {string.Join(", ", ModelPresets.Names)}.", Required = true };
        var output = new Option<string>("--out") { Description = "The model directory to write.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the weights (same seed, same model).", DefaultValueFactory = _ => 1 };
        var dtype = new Option<string>("--dtype") { Description = "Stored precision: f32, f16 or bf16 (compute is always fp32).", DefaultValueFactory = _ => "f32" };
        var command = new Command("synth", "Writes a synthetic model of a paper-sized architecture with seeded weights.") { arch, output, seed, dtype };
        command.SetAction(parse => CommandException.Guard("synth", () => Run(
            parse.GetRequiredValue(arch),
            parse.GetRequiredValue(output),
            parse.GetValue(seed),
            parse.GetRequiredValue(dtype))));
        return command;
    }

    private static int Run(string arch, string output, int seed, string dtypeName)
    {
        ModelConfig config;
        try
        {
            config = ModelPresets.Get(arch);
        }
        catch (ArgumentException e)
        {
            throw new CommandException(e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal));
        }

        var dtype = dtypeName.ToUpperInvariant() switch
        {
            "F32" => SafeTensorsDType.F32,
            "F16" => SafeTensorsDType.F16,
            "BF16" => SafeTensorsDType.BF16,
            _ => throw new CommandException($"--dtype must be f32, f16 or bf16, got '{dtypeName}'."),
        };
        if (File.Exists(output))
        {
            throw new CommandException($"--out '{output}' is a file; it takes a directory.");
        }

        var layout = SyntheticCheckpoint.Layout(config);
        var parameters = layout.Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress().Start(context =>
        {
            var task = context.AddTask($"{arch} ({parameters / 1e6:F0} M parameters)", maxValue: layout.Count);
            SyntheticCheckpoint.Write(config, output, seed, dtype, new Progress<int>(_ => task.Increment(1)));
            task.Value = layout.Count;
        });
        var bytes = new FileInfo(Path.Combine(output, "model.safetensors")).Length;
        Console.WriteLine($"wrote {Path.GetFullPath(output)}: {config.Architecture}, {config.Layers} layers, hidden {config.HiddenSize}, {config.Heads} heads, MLP {config.IntermediateSize}; {parameters / 1e6:F1} M parameters, {bytes / 1e6:F0} MB {dtype}, seed {seed}");
        return 0;
    }
}

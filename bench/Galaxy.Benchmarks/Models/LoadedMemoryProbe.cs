using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Galaxy.Benchmarks.Onnx;
using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Microsoft.ML.OnnxRuntime;

namespace Galaxy.Benchmarks.Models;

/// <summary>
/// Measures the memory a loaded model holds, in a fresh child process per side so nothing else the benchmark
/// allocated is counted. The child first loads something tiny the same way (a 1-layer synthetic BERT with an
/// 8-word vocabulary for Galaxy, a one-node model for ORT) so code loading and JIT are in the baseline, takes an
/// aggressive full GC (which also returns the GC's free regions to the system), reads its memory, loads the model
/// while a thread samples resident memory, collects the same way and reads it once more.
/// </summary>
public static class LoadedMemoryProbe
{
    /// <summary>The hidden command the child runs.</summary>
    public const string CommandName = "model-memory-probe";

    /// <summary>The side names, in report order.</summary>
    public static IReadOnlyList<string> Sides { get; } = ["galaxy", "onnxruntime"];

    private const int PinnedObjectHeapGeneration = 4;

    /// <summary>Runs the probe for <paramref name="side"/> in a child process and returns what it found.</summary>
    /// <exception cref="InvalidOperationException">The child failed; the message has its stderr.</exception>
    public static LoadedMemory MeasureInChildProcess(string side, MiniLmModelFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown."),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Under `dotnet Galaxy.Benchmarks.dll` the process is the dotnet host, which needs the program's path first.
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(LoadedMemoryProbe).Assembly.Location);
        }

        foreach (var argument in new[] { CommandName, "--side", side, "--model-directory", files.ModelDirectory, "--onnx", files.OnnxPath })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{start.FileName}'.");
        var errors = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The {side} memory probe exited with code {child.ExitCode}: {errors.Result.Trim()}");
        }

        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return (line is null ? null : JsonSerializer.Deserialize<LoadedMemory>(line))
            ?? throw new InvalidOperationException($"The {side} memory probe printed no result: {output.Trim()}");
    }

    /// <summary>The child's side: measures one load in this process and writes the result as one JSON line.</summary>
    public static void RunInThisProcess(string side, string modelDirectory, string onnxPath, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!ResidentMemory.IsAvailable)
        {
            throw new PlatformNotSupportedException("The memory probe reads /proc/self/status, so it runs on Linux only.");
        }

        Func<object> load = side switch
        {
            "galaxy" => () => LocalModel.Load(modelDirectory),
            "onnxruntime" => () => CreateSession(onnxPath),
            _ => throw new ArgumentException($"Unknown side '{side}'; use galaxy or onnxruntime.", nameof(side)),
        };

        WarmUp(side);
        var (managedBefore, pinnedBefore, committedBefore) = CollectAndReadHeap();
        var before = ResidentMemory.Read();
        var peakReset = ResidentMemory.TryResetPeak();
        var peakAnonymous = before.Anonymous;

        using var sampling = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakAnonymous = Math.Max(peakAnonymous, ResidentMemory.Read().Anonymous);
                Thread.Sleep(1);
            }
        })
        {
            IsBackground = true,
            Name = "memory-sampler",
        };
        sampler.Start();

        var loaded = load();
        var peakResident = ResidentMemory.Read().PeakResident;
        sampling.Cancel();
        sampler.Join();

        var (managedAfter, pinnedAfter, committedAfter) = CollectAndReadHeap();
        var after = ResidentMemory.Read();
        peakAnonymous = Math.Max(peakAnonymous, after.Anonymous);
        var result = new LoadedMemory(
            side,
            loaded is LocalModel model ? model.Weights.ByteCount : 0,
            after.Anonymous - before.Anonymous,
            after.File - before.File,
            managedAfter - managedBefore,
            pinnedAfter - pinnedBefore,
            committedAfter - committedBefore,
            peakAnonymous - before.Anonymous,
            peakReset ? peakResident - before.Resident : -1);
        GC.KeepAlive(loaded);
        (loaded as IDisposable)?.Dispose();
        output.WriteLine(JsonSerializer.Serialize(result));
    }

    private static InferenceSession CreateSession(string onnxPath)
    {
        using var options = OrtSessionSettings.Create(threads: 1);
        return new InferenceSession(onnxPath, options);
    }

    /// <summary>Loads something tiny the same way, so the code and native libraries a load needs are in the baseline.</summary>
    private static void WarmUp(string side)
    {
        if (side == "onnxruntime")
        {
            var model = OnnxOpModels.LayerNormalization(1, new float[8], new float[8], 1e-5f);
            using var options = OrtSessionSettings.Create(threads: 1);
            using var session = new InferenceSession(model.ToBytes(), options);
            return;
        }

        var directory = Path.Combine(Path.GetTempPath(), $"galaxy-memory-probe-{Guid.NewGuid():N}");
        try
        {
            var config = new ModelConfig
            {
                Architecture = ModelArchitecture.Bert,
                HiddenSize = 8,
                Heads = 2,
                Layers = 1,
                IntermediateSize = 16,
                VocabularySize = 8,
                MaxPositions = 8,
                TypeVocabularySize = 2,
                LayerNormEpsilon = 1e-12f,
                Activation = Activation.GeluErf,
            };
            SyntheticCheckpoint.Write(config, directory, seed: 1);
            File.WriteAllLines(Path.Combine(directory, "vocab.txt"), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c"]);
            GC.KeepAlive(LocalModel.Load(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static (long Managed, long Pinned, long Committed) CollectAndReadHeap()
    {
        // Aggressive: compact and give back every free region, so what stays committed is what the live objects need.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var managed = GC.GetTotalMemory(forceFullCollection: false);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        return (managed, info.GenerationInfo[PinnedObjectHeapGeneration].SizeAfterBytes, info.TotalCommittedBytes);
    }

    /// <summary>Bytes in mebibytes, for the report.</summary>
    public static string Mebibytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MiB");
}

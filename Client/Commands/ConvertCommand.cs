using System.CommandLine;
using System.Globalization;
using Galaxy.Kernels.IO.Onnx;

namespace Galaxy.Client.Commands;

/// <summary>
/// <c>galaxy convert --onnx model.onnx --out dir [--vocab vocab.txt]</c>: an ONNX export of a BERT-style
/// encoder into the Hugging Face model directory Galaxy loads (config.json + model.safetensors + vocab.txt).
/// </summary>
internal static class ConvertCommand
{
    /// <summary>The exit code for input the command cannot use: a missing file, an output path that is a file, a graph that is not a BERT encoder.</summary>
    public const int BadInput = 2;

    public static Command Create()
    {
        var onnx = new Option<string>("--onnx") { Description = "The ONNX model to convert (a BERT-style encoder export).", Required = true };
        var output = new Option<string>("--out") { Description = "The model directory to write (created if absent; its files are replaced).", Required = true };
        var vocab = new Option<string?>("--vocab") { Description = "A WordPiece vocab.txt to copy beside the weights." };
        var convert = new Command("convert", "Converts an ONNX BERT-style encoder into a Hugging Face model directory (config.json + model.safetensors).")
        {
            onnx,
            output,
            vocab,
        };
        convert.SetAction(parse => Run(parse.GetValue(onnx)!, parse.GetValue(output)!, parse.GetValue(vocab)));
        return convert;
    }

    private static int Run(string onnxPath, string outputDirectory, string? vocabPath)
    {
        if (!File.Exists(onnxPath))
        {
            return Fail($"ONNX model '{Path.GetFullPath(onnxPath)}' does not exist.");
        }

        if (vocabPath is not null && !File.Exists(vocabPath))
        {
            return Fail($"vocabulary '{Path.GetFullPath(vocabPath)}' does not exist.");
        }

        if (File.Exists(outputDirectory))
        {
            return Fail($"output '{Path.GetFullPath(outputDirectory)}' is a file; --out takes a directory.");
        }

        OnnxImportSummary summary;
        try
        {
            summary = OnnxBertImporter.Import(onnxPath, outputDirectory, vocabPath);
        }
        catch (InvalidDataException e)
        {
            return Fail(e.Message);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return Fail($"cannot write '{Path.GetFullPath(outputDirectory)}': {e.Message}");
        }

        var epsilon = summary.LayerNormEpsilon.ToString("R", CultureInfo.InvariantCulture);
        Console.WriteLine($"model         {summary.OutputDirectory}");
        Console.WriteLine($"encoder       {summary.Layers} layers, hidden {summary.HiddenSize}, {summary.Heads} heads, MLP {summary.IntermediateSize}, vocab {summary.VocabSize}, LayerNorm eps {epsilon}");
        Console.WriteLine($"written       {OnnxBertImporter.ConfigFileName}, {OnnxBertImporter.WeightsFileName} ({summary.TensorsWritten} tensors, F32){(summary.VocabCopied ? $", {OnnxBertImporter.VocabFileName}" : string.Empty)}");
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"galaxy convert: {message}");
        return BadInput;
    }
}

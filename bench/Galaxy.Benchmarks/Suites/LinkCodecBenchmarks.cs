using BenchmarkDotNet.Attributes;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Benchmarks.Suites;

/// <summary>
/// Encoding and decoding one tile for the link (<see cref="TileCodec"/>): a BERT-large chunk of 128 rows × 1024
/// (what the <c>hmp</c> benchmark sends per ring step at N = 2, seq 256) and a MiniLM tile of 32 × 384, per
/// precision. fp32 — a plain copy of the bytes, what the link carried before there were precisions — is the
/// baseline. The codecs must cost little beside the link: 512 KB takes 42 ms at 100 Mbit/s and 4.2 ms at 1 Gbit/s.
/// </summary>
[MemoryDiagnoser]
public class LinkCodecBenchmarks
{
    private float[] _values = [];
    private float[] _decoded = [];
    private byte[] _wire = [];
    private byte[] _copy = [];
    private int _width;

    [Params("128x1024", "32x384")]
    public string Tile { get; set; } = "128x1024";

    [Params(LinkPrecision.Fp32, LinkPrecision.Bf16, LinkPrecision.Int8)]
    public LinkPrecision Precision { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var parts = Tile.Split('x');
        var rows = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        _width = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var random = new Random(17);
        _values = Enumerable.Range(0, rows * _width).Select(_ => (float)((random.NextDouble() * 2) - 1) * 4f).ToArray();
        _decoded = new float[_values.Length];
        _copy = new byte[_values.Length * sizeof(float)];
        _wire = new byte[TileCodec.EncodedBytes(Precision, rows, _width)];
        TileCodec.Encode(Precision, _values, _width, _wire);
        TileCodec.Decode(Precision, _wire, _width, _decoded);
        var worst = _values.Zip(_decoded, (v, d) => Math.Abs(v - d)).Max();
        if (!(worst <= 4f / 127))
        {
            throw new InvalidOperationException($"{Precision} round trip of {Tile} is off by {worst:G3}.");
        }
    }

    [Benchmark(Baseline = true)]
    public void CopyFp32Bytes() => System.Runtime.InteropServices.MemoryMarshal.AsBytes(_values.AsSpan()).CopyTo(_copy);

    [Benchmark]
    public void Encode() => TileCodec.Encode(Precision, _values, _width, _wire);

    [Benchmark]
    public void Decode() => TileCodec.Decode(Precision, _wire, _width, _decoded);
}

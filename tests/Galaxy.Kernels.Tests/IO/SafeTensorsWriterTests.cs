using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Galaxy.Kernels.IO;

namespace Galaxy.Kernels.Tests.IO;

public sealed class SafeTensorsWriterTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(SafeTensorsDType.F32, 4)]
    [InlineData(SafeTensorsDType.F16, 2)]
    [InlineData(SafeTensorsDType.BF16, 2)]
    public void Write_TwoTensors_HeaderIsPaddedJsonWithBackToBackOffsets(SafeTensorsDType dtype, int size)
    {
        var path = _directory.File("w.safetensors");

        SafeTensorsWriter.Write(path, [new SafeTensor("a", [2, 3], new float[6]), new SafeTensor("b", [5], new float[5])], dtype);

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal(8 + headerLength + (11 * size), bytes.Length);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var b = header.RootElement.GetProperty("b");
        Assert.Equal(dtype.ToString(), b.GetProperty("dtype").GetString());
        Assert.Equal([6 * size, 11 * size], b.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Write_NamesNeedingJsonEscapes_RoundTripThroughTheReader()
    {
        var path = _directory.File("names.safetensors");
        string[] names = ["quote\"d", "back\\slash", "ünïcödé.weight", "<tag>&"];

        SafeTensorsWriter.Write(path, [.. names.Select((name, i) => new SafeTensor(name, [1], [i]))]);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(names, file.Names);
        var value = new float[1];
        file.Read("ünïcödé.weight", value);
        Assert.Equal(2f, value[0]);
    }

    [Fact]
    public void Write_UndefinedDType_ThrowsArgumentOutOfRange()
    {
        var path = _directory.File("bad.safetensors");

        Assert.Throws<ArgumentOutOfRangeException>(() => SafeTensorsWriter.Write(path, [new SafeTensor("w", [1], [1f])], (SafeTensorsDType)7));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Write_ShapeWhoseElementCountOverflows_ThrowsInsteadOfWrapping()
    {
        // 65536⁴ = 2⁶⁴ wraps to 0 in a long, which would have matched the empty data.
        var error = Assert.Throws<ArgumentException>(() =>
            SafeTensorsWriter.Write(_directory.File("bad.safetensors"), [new SafeTensor("w", [65536, 65536, 65536, 65536], [])]));

        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "not allowed")]
    [InlineData("__metadata__", "not allowed")]
    public void Write_ReservedOrEmptyName_ThrowsArgumentException(string name, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(_directory.File("bad.safetensors"), [new SafeTensor(name, [1], [1f])]));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_DuplicateNameOrShapeMismatch_ThrowsArgumentException()
    {
        var path = _directory.File("bad.safetensors");

        var duplicate = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(path, [new SafeTensor("w", [1], [1f]), new SafeTensor("w", [1], [2f])]));
        var mismatch = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(path, [new SafeTensor("w", [2, 2], [1f, 2f, 3f])]));

        Assert.Contains("appears twice", duplicate.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 2] (4 elements) but 3 values", mismatch.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x3F808000u, 0x3F80)] // 1 + 2⁻⁸: a tie, rounds to the even 1.0
    [InlineData(0x3F818000u, 0x3F82)] // 1 + 3·2⁻⁸: a tie, rounds up to the even neighbour
    [InlineData(0x3F808001u, 0x3F81)] // just above the tie: rounds up
    [InlineData(0x3F807FFFu, 0x3F80)] // just below the tie: rounds down
    [InlineData(0x7F7FFFFFu, 0x7F80)] // float.MaxValue overflows to +∞
    [InlineData(0xFF800000u, 0xFF80)] // −∞ stays −∞
    public void BFloat16Bits_RoundsToNearestEven(uint fp32Bits, int expected)
    {
        Assert.Equal((ushort)expected, SafeTensorsWriter.BFloat16Bits(BitConverter.UInt32BitsToSingle(fp32Bits)));
    }

    [Fact]
    public void Write_Metadata_IsReadBack()
    {
        var path = _directory.File("meta.safetensors");

        SafeTensorsWriter.Write(path, [], metadata: new Dictionary<string, string> { ["format"] = "pt" });

        using var file = SafeTensorsFile.Open(path);
        Assert.Empty(file.Names);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Contains("__metadata__", Encoding.UTF8.GetString(File.ReadAllBytes(path)), StringComparison.Ordinal);
    }
}

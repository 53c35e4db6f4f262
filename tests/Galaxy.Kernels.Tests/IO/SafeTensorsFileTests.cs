using System.Runtime.InteropServices;
using Galaxy.Kernels.IO;

namespace Galaxy.Kernels.Tests.IO;

public sealed class SafeTensorsFileTests : IDisposable
{
    // Round-to-nearest into F16 (11 significant bits) is within half an ulp: |r − x| ≤ 2⁻¹¹·|x| for normal
    // halves; below 2⁻¹⁴ halves are subnormal with a fixed spacing of 2⁻²⁴, so add half of that absolutely.
    private const double HalfRelative = 1.0 / (1 << 11);
    private const double HalfAbsolute = 1.0 / (1 << 25);

    // Round-to-nearest into BF16 (8 significant bits): |r − x| ≤ 2⁻⁸·|x| (its exponent range is fp32's).
    private const double BFloat16Relative = 1.0 / (1 << 8);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<int[]> Shapes => new()
    {
        new[] { 1 },
        new[] { 2 },
        new[] { 31 },
        new[] { 32 },
        new[] { 33 },
        new[] { 3, 33 },
        new[] { 64, 384 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Read_F32RoundTrip_IsBitExact(int[] shape)
    {
        var original = TestData.Uniform(Count(shape), seed: 301);
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("w", shape, original));

        var actual = new float[original.Length];
        file.Read("w", actual);

        Assert.Equal(Bits(original), Bits(actual));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Read_F16RoundTrip_WithinHalfPrecisionAndEqualToHalfCast(int[] shape)
    {
        var original = TestData.Uniform(Count(shape), seed: 302);
        original[0] = 3e-6f; // a subnormal half
        using var file = WriteAndOpen(SafeTensorsDType.F16, new SafeTensor("w", shape, original));

        var actual = new float[original.Length];
        file.Read("w", actual);

        for (var i = 0; i < original.Length; i++)
        {
            Assert.Equal((float)(Half)original[i], actual[i]);
            Assert.InRange(Math.Abs((double)actual[i] - original[i]), 0, (HalfRelative * Math.Abs(original[i])) + HalfAbsolute);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Read_BF16RoundTrip_WithinBFloat16PrecisionAndEqualToRoundedBits(int[] shape)
    {
        var original = TestData.Uniform(Count(shape), seed: 303);
        using var file = WriteAndOpen(SafeTensorsDType.BF16, new SafeTensor("w", shape, original));

        var actual = new float[original.Length];
        file.Read("w", actual);

        for (var i = 0; i < original.Length; i++)
        {
            Assert.Equal(ReferenceBFloat16(original[i]), actual[i]);
            Assert.InRange(Math.Abs((double)actual[i] - original[i]), 0, BFloat16Relative * Math.Abs(original[i]));
        }
    }

    [Theory]
    [InlineData(SafeTensorsDType.F32)]
    [InlineData(SafeTensorsDType.F16)]
    [InlineData(SafeTensorsDType.BF16)]
    public void Read_SpecialValues_KeepsInfinitiesNaNAndSignedZero(SafeTensorsDType dtype)
    {
        float[] original = [float.PositiveInfinity, float.NegativeInfinity, float.NaN, -0f, 0f, 1f, -2f, 0.5f, 1024f];
        using var file = WriteAndOpen(dtype, new SafeTensor("w", [original.Length], original));

        var actual = new float[original.Length];
        file.Read("w", actual);

        Assert.Equal(float.PositiveInfinity, actual[0]);
        Assert.Equal(float.NegativeInfinity, actual[1]);
        Assert.True(float.IsNaN(actual[2]));
        Assert.True(float.IsNegative(actual[3]) && actual[3] == 0f);
        Assert.Equal(Bits(original[4..]), Bits(actual[4..]));
    }

    [Theory]
    [InlineData(SafeTensorsDType.F32)]
    [InlineData(SafeTensorsDType.F16)]
    [InlineData(SafeTensorsDType.BF16)]
    public void Read_UnalignedDataRegion_DecodesCorrectly(SafeTensorsDType dtype)
    {
        // An odd header length puts the data region at an odd offset (the writer always aligns it to 8).
        float[] values = [1f, -2f, 0.5f, 3f, -0.25f, 8f, 16f, -1f, 2f, 4f, 0.125f];
        var size = dtype == SafeTensorsDType.F32 ? 4 : 2;
        var data = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            switch (dtype)
            {
                case SafeTensorsDType.F32:
                    MemoryMarshal.Write(data.AsSpan(i * 4), values[i]);
                    break;
                case SafeTensorsDType.F16:
                    MemoryMarshal.Write(data.AsSpan(i * 2), (Half)values[i]);
                    break;
                default:
                    MemoryMarshal.Write(data.AsSpan(i * 2), (ushort)(BitConverter.SingleToUInt32Bits(values[i]) >> 16));
                    break;
            }
        }

        var json = $$$"""{"w":{"dtype":"{{{dtype}}}","shape":[{{{values.Length}}}],"data_offsets":[0,{{{data.Length}}}]}}""";
        var header = System.Text.Encoding.UTF8.GetBytes(json.Length % 2 == 0 ? json + " " : json);
        var path = _directory.File("unaligned.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Build(header, data));
        using var file = SafeTensorsFile.Open(path);

        var actual = new float[values.Length];
        file.Read("w", actual);

        Assert.Equal(values, actual);
    }

    [Theory]
    [InlineData(SafeTensorsDType.F32, 0, 1)]
    [InlineData(SafeTensorsDType.F32, 4, 1)]
    [InlineData(SafeTensorsDType.F32, 0, 5)]
    [InlineData(SafeTensorsDType.F32, 1, 3)]
    [InlineData(SafeTensorsDType.F32, 0, 0)]
    [InlineData(SafeTensorsDType.F32, 5, 0)]
    [InlineData(SafeTensorsDType.F16, 4, 1)]
    [InlineData(SafeTensorsDType.F16, 1, 3)]
    [InlineData(SafeTensorsDType.BF16, 0, 1)]
    [InlineData(SafeTensorsDType.BF16, 1, 4)]
    public void ReadRows_EdgeAndZeroCountSlices_MatchWholeRead(SafeTensorsDType dtype, int rowStart, int rowCount)
    {
        const int Rows = 5, Columns = 33;
        using var file = WriteAndOpen(dtype, new SafeTensor("w", [Rows, Columns], TestData.Uniform(Rows * Columns, seed: 304)));
        var whole = new float[Rows * Columns];
        file.Read("w", whole);

        var rows = new float[rowCount * Columns];
        file.ReadRows("w", rowStart, rowCount, rows);

        Assert.Equal(whole.AsSpan(rowStart * Columns, rowCount * Columns).ToArray(), rows);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(32, 1)]
    [InlineData(0, 33)]
    [InlineData(7, 20)]
    [InlineData(33, 0)]
    public void ReadRows_OneDimensionalTensor_RowsAreElements(int rowStart, int rowCount)
    {
        var original = TestData.Uniform(33, seed: 305);
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("bias", [33], original));

        var rows = new float[rowCount];
        file.ReadRows("bias", rowStart, rowCount, rows);

        Assert.Equal(original.AsSpan(rowStart, rowCount).ToArray(), rows);
    }

    [Fact]
    public void ReadRows_ThreeDimensionalTensor_RowIsEverythingAfterTheFirstDimension()
    {
        var original = TestData.Uniform(4 * 3 * 5, seed: 306);
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("w", [4, 3, 5], original));

        var rows = new float[2 * 15];
        file.ReadRows("w", 2, 2, rows);

        Assert.Equal(original.AsSpan(30, 30).ToArray(), rows);
    }

    [Fact]
    public void ReadRows_Scalar_IsOneRowOfOneElement()
    {
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("scale", [], [2.5f]));

        var row = new float[1];
        file.ReadRows("scale", 0, 1, row);

        Assert.Equal(2.5f, row[0]);
        Assert.Equal(1, file.Info("scale").ElementCount);
    }

    [Theory]
    [InlineData(SafeTensorsDType.F32, 0, 1)]
    [InlineData(SafeTensorsDType.F32, 32, 1)]
    [InlineData(SafeTensorsDType.F32, 0, 33)]
    [InlineData(SafeTensorsDType.F32, 5, 17)]
    [InlineData(SafeTensorsDType.F32, 0, 0)]
    [InlineData(SafeTensorsDType.F32, 33, 0)]
    [InlineData(SafeTensorsDType.F16, 32, 1)]
    [InlineData(SafeTensorsDType.F16, 5, 17)]
    [InlineData(SafeTensorsDType.BF16, 0, 1)]
    [InlineData(SafeTensorsDType.BF16, 5, 17)]
    public void ReadColumns_EdgeAndZeroCountSlices_MatchWholeRead(SafeTensorsDType dtype, int columnStart, int columnCount)
    {
        const int Rows = 5, Columns = 33;
        using var file = WriteAndOpen(dtype, new SafeTensor("w", [Rows, Columns], TestData.Uniform(Rows * Columns, seed: 307)));
        var whole = new float[Rows * Columns];
        file.Read("w", whole);

        var columns = new float[Rows * columnCount];
        file.ReadColumns("w", columnStart, columnCount, columns);

        var expected = new float[Rows * columnCount];
        for (var r = 0; r < Rows; r++)
        {
            whole.AsSpan((r * Columns) + columnStart, columnCount).CopyTo(expected.AsSpan(r * columnCount));
        }

        Assert.Equal(expected, columns);
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(7, 1)]
    public void ReadColumns_SingleRowOrColumnMatrix_MatchesOriginal(int rows, int columns)
    {
        var original = TestData.Uniform(rows * columns, seed: 308);
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("w", [rows, columns], original));

        var last = new float[rows];
        file.ReadColumns("w", columns - 1, 1, last);

        Assert.Equal(Enumerable.Range(0, rows).Select(r => original[(r * columns) + columns - 1]), last);
    }

    [Fact]
    public void Read_EmptyTensor_ReadsNothing()
    {
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("empty", [0, 4], []), new SafeTensor("w", [2], [1f, 2f]));

        file.Read("empty", []);
        file.ReadRows("empty", 0, 0, []);
        file.ReadColumns("empty", 1, 2, []);

        Assert.Equal(0, file.Info("empty").ElementCount);
    }

    [Fact]
    public void Read_WrongDestinationLength_ThrowsArgumentExceptionNamingTensorAndShape()
    {
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("w", [5, 7], new float[35]));

        var whole = Assert.Throws<ArgumentException>(() => file.Read("w", new float[34]));
        var rows = Assert.Throws<ArgumentException>(() => file.ReadRows("w", 1, 2, new float[13]));
        var columns = Assert.Throws<ArgumentException>(() => file.ReadColumns("w", 1, 2, new float[11]));

        Assert.All([whole, rows, columns], e => Assert.Contains("'w'", e.Message, StringComparison.Ordinal));
        Assert.All([whole, rows, columns], e => Assert.Contains("[5, 7]", e.Message, StringComparison.Ordinal));
        Assert.Contains("rows [1, 3)", rows.Message, StringComparison.Ordinal);
        Assert.Contains("columns [1, 3)", columns.Message, StringComparison.Ordinal);
        Assert.Equal("destination", whole.ParamName);
    }

    [Theory]
    [InlineData(-1, 1, "rowStart")]
    [InlineData(6, 0, "rowStart")]
    [InlineData(0, 6, "rowCount")]
    [InlineData(4, 2, "rowCount")]
    [InlineData(2, -1, "rowCount")]
    [InlineData(int.MaxValue, int.MaxValue, "rowStart")]
    public void ReadRows_OutOfRange_ThrowsArgumentOutOfRangeNamingTensorShapeAndRange(int rowStart, int rowCount, string parameter)
    {
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("w", [5, 7], new float[35]));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => file.ReadRows("w", rowStart, rowCount, new float[7]));

        Assert.Equal(parameter, error.ParamName);
        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
        Assert.Contains("[5, 7]", error.Message, StringComparison.Ordinal);
        Assert.Contains($"rows [{rowStart}, {(long)rowStart + rowCount})", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 1, "columnStart")]
    [InlineData(8, 0, "columnStart")]
    [InlineData(0, 8, "columnCount")]
    [InlineData(6, 2, "columnCount")]
    [InlineData(0, -3, "columnCount")]
    public void ReadColumns_OutOfRange_ThrowsArgumentOutOfRangeNamingTensorShapeAndRange(int columnStart, int columnCount, string parameter)
    {
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("w", [5, 7], new float[35]));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => file.ReadColumns("w", columnStart, columnCount, new float[5]));

        Assert.Equal(parameter, error.ParamName);
        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
        Assert.Contains("[5, 7]", error.Message, StringComparison.Ordinal);
        Assert.Contains($"columns [{columnStart}, {columnStart + columnCount})", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 35 })]
    [InlineData(new[] { 5, 7, 1 })]
    [InlineData(new int[0])]
    public void ReadColumns_NotTwoDimensional_ThrowsArgumentExceptionNamingShape(int[] shape)
    {
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("w", shape, new float[Count(shape)]));

        var error = Assert.Throws<ArgumentException>(() => file.ReadColumns("w", 0, 1, new float[5]));

        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"[{string.Join(", ", shape)}]", error.Message, StringComparison.Ordinal);
        Assert.Contains("2-D", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingTensor_ThrowsKeyNotFoundNamingTensorAndFile()
    {
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("w", [2], [1f, 2f]));

        var errors = new Exception[]
        {
            Assert.Throws<KeyNotFoundException>(() => file.Info("missing.weight")),
            Assert.Throws<KeyNotFoundException>(() => file.Read("missing.weight", new float[2])),
            Assert.Throws<KeyNotFoundException>(() => file.ReadRows("missing.weight", 0, 1, new float[1])),
            Assert.Throws<KeyNotFoundException>(() => file.ReadColumns("missing.weight", 0, 1, new float[1])),
        };

        Assert.All(errors, e => Assert.Contains("'missing.weight'", e.Message, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.Contains(file.FilePath, e.Message, StringComparison.Ordinal));
        Assert.False(file.TryGetInfo("missing.weight", out _));
    }

    [Fact]
    public void Open_WrittenFile_ListsNamesInFileOrderWithInfoAndMetadata()
    {
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "seeded" };
        var path = _directory.File("model.safetensors");
        SafeTensorsWriter.Write(path, [new SafeTensor("z.last", [2, 3], new float[6]), new SafeTensor("a.first", [4], new float[4])], SafeTensorsDType.BF16, metadata);

        using var file = SafeTensorsFile.Open(path);

        Assert.Equal(["z.last", "a.first"], file.Names);
        Assert.True(file.TryGetInfo("z.last", out var info));
        Assert.Equal("BF16", info.DTypeName);
        Assert.Equal(SafeTensorsDType.BF16, info.DType);
        Assert.Equal([2, 3], info.Shape);
        Assert.Equal(path, info.Source);
        Assert.Equal(metadata, file.Metadata);
    }

    [Fact]
    public void Info_ShapeEditedByCaller_DoesNotChangeReads()
    {
        var original = TestData.Uniform(12, seed: 309);
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("w", [3, 4], original));

        file.Info("w").Shape[1] = 1000;
        var row = new float[4];
        file.ReadRows("w", 2, 1, row);

        Assert.Equal(original[8..], row);
    }

    [Fact]
    public void Open_I64Tensor_IsListedWithNullDTypeAndReadingItThrowsNamingTensorAndDType()
    {
        // BERT checkpoints carry the int64 buffer embeddings.position_ids next to the fp32 weights.
        var weight = new float[] { 1f, 2f, 3f, 4f };
        var data = new byte[(4 * 8) + (weight.Length * 4)];
        new long[] { 0, 1, 2, 3 }.CopyTo(MemoryMarshal.Cast<byte, long>(data.AsSpan(0, 32)));
        MemoryMarshal.AsBytes(weight.AsSpan()).CopyTo(data.AsSpan(32));
        var header = """
            {"__metadata__":{"format":"pt"},
             "embeddings.position_ids":{"dtype":"I64","shape":[1,4],"data_offsets":[0,32]},
             "embeddings.word_embeddings.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[32,48]}}
            """;
        var path = _directory.File("bert.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Build(System.Text.Encoding.UTF8.GetBytes(header), data));

        using var file = SafeTensorsFile.Open(path);

        Assert.Equal(["embeddings.position_ids", "embeddings.word_embeddings.weight"], file.Names);
        var info = file.Info("embeddings.position_ids");
        Assert.Null(info.DType);
        Assert.Equal("I64", info.DTypeName);
        var errors = new Exception[]
        {
            Assert.Throws<NotSupportedException>(() => file.Read("embeddings.position_ids", new float[4])),
            Assert.Throws<NotSupportedException>(() => file.ReadRows("embeddings.position_ids", 0, 1, new float[4])),
            Assert.Throws<NotSupportedException>(() => file.ReadColumns("embeddings.position_ids", 0, 1, new float[1])),
        };
        Assert.All(errors, e => Assert.Contains("'embeddings.position_ids'", e.Message, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.Contains("I64", e.Message, StringComparison.Ordinal));
        var readable = new float[4];
        file.Read("embeddings.word_embeddings.weight", readable);
        Assert.Equal(weight, readable);
    }

    [Fact]
    public void Open_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => SafeTensorsFile.Open(_directory.File("absent.safetensors")));
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("w", [2, 2], new float[4]));

        file.Dispose();
        file.Dispose();

        Assert.Throws<ObjectDisposedException>(() => file.Read("w", new float[4]));
        Assert.Throws<ObjectDisposedException>(() => file.ReadRows("w", 0, 1, new float[2]));
        Assert.Throws<ObjectDisposedException>(() => file.ReadColumns("w", 0, 1, new float[2]));
        Assert.Throws<ObjectDisposedException>(() => file.Info("w"));
        Assert.Throws<ObjectDisposedException>(() => file.TryGetInfo("w", out _));
        Assert.Throws<ObjectDisposedException>(() => file.Names);
    }

    [Fact]
    public void Read_ConcurrentThreads_EveryReadMatches()
    {
        const int Rows = 64, Columns = 96;
        var original = TestData.Uniform(Rows * Columns, seed: 310);
        using var file = WriteAndOpen(SafeTensorsDType.F32, new SafeTensor("w", [Rows, Columns], original));

        System.Threading.Tasks.Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            var random = new Random(worker);
            var buffer = new float[Rows * Columns];
            for (var i = 0; i < 200; i++)
            {
                var start = random.Next(Rows);
                var count = random.Next(Rows - start + 1);
                var rows = buffer.AsSpan(0, count * Columns);
                file.ReadRows("w", start, count, rows);
                Assert.True(rows.SequenceEqual(original.AsSpan(start * Columns, count * Columns)));

                var column = random.Next(Columns);
                var columns = buffer.AsSpan(0, Rows);
                file.ReadColumns("w", column, 1, columns);
                for (var r = 0; r < Rows; r++)
                {
                    Assert.Equal(original[(r * Columns) + column], columns[r]);
                }
            }
        });
    }

    private static int Count(int[] shape) => shape.Aggregate(1, (count, dimension) => count * dimension);

    private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    /// <summary>fp32 → bf16 → fp32 with round-to-nearest-even on the dropped 16 bits (finite inputs).</summary>
    private static float ReferenceBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        uint upper = bits >> 16, dropped = bits & 0xFFFF;
        if (dropped > 0x8000 || (dropped == 0x8000 && (upper & 1) == 1))
        {
            upper++;
        }

        return BitConverter.UInt32BitsToSingle(upper << 16);
    }

    private SafeTensorsFile WriteAndOpen(SafeTensorsDType dtype, params SafeTensor[] tensors)
    {
        var path = _directory.File($"{dtype}-{Guid.NewGuid():N}.safetensors");
        SafeTensorsWriter.Write(path, tensors, dtype);
        return SafeTensorsFile.Open(path);
    }
}

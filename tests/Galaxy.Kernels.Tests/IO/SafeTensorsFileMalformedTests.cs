using System.Text;
using Galaxy.Kernels.IO;

namespace Galaxy.Kernels.Tests.IO;

/// <summary>Every malformed file is an <see cref="InvalidDataException"/> naming the file and the problem.</summary>
public sealed class SafeTensorsFileMalformedTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void Open_FileShorterThanEightBytes_ThrowsInvalidData(int length)
    {
        AssertMalformed(new byte[length], "shorter than the 8-byte header length");
    }

    [Fact]
    public void Open_HeaderLengthZero_ThrowsInvalidData()
    {
        AssertMalformed(SafeTensorsBytes.WithHeaderLength(GoodFile(), 0), "header length is 0");
    }

    [Fact]
    public void Open_HeaderLengthPastEndOfFile_ThrowsInvalidData()
    {
        var good = GoodFile();
        var remaining = good.Length - 8;

        AssertMalformed(SafeTensorsBytes.WithHeaderLength(good, (ulong)remaining + 1), "exceeds the");
    }

    [Fact]
    public void Open_FileTruncatedInsideHeader_ThrowsInvalidData()
    {
        var good = GoodFile();

        AssertMalformed(good[..(8 + ((int)SafeTensorsBytes.HeaderLength(good) / 2))], "truncated file");
    }

    [Theory]
    [InlineData(100UL * 1024 * 1024 + 1)]
    [InlineData(1UL << 40)]
    [InlineData(ulong.MaxValue)]
    public void Open_HeaderLengthAbsurd_ThrowsInvalidDataWithoutAllocatingIt(ulong headerLength)
    {
        AssertMalformed(SafeTensorsBytes.WithHeaderLength(GoodFile(), headerLength), "is absurd");
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{not json}")]
    [InlineData("{\"w\": {\"dtype\": \"F32\",}}")]
    [InlineData("{} {}")]
    [InlineData("        ")]
    [InlineData("{\"w\": 1} // comment")]
    public void Open_HeaderNotJson_ThrowsInvalidData(string header)
    {
        AssertMalformed(SafeTensorsBytes.Build(header), "not valid JSON");
    }

    [Theory]
    [InlineData("[]", "Array")]
    [InlineData("42", "Number")]
    [InlineData("\"tensor\"", "String")]
    [InlineData("null", "Null")]
    public void Open_HeaderNotAnObject_ThrowsInvalidData(string header, string kind)
    {
        AssertMalformed(SafeTensorsBytes.Build(header), $"header is a JSON {kind}, not an object");
    }

    [Fact]
    public void Open_HeaderNotUtf8_ThrowsInvalidData()
    {
        var header = Encoding.UTF8.GetBytes("{\"w\u00e9\": {}}");
        header[3] = 0xFF;

        AssertMalformed(SafeTensorsBytes.Build(header, []), "not valid UTF-8");
    }

    [Theory]
    [InlineData("""{"\uD800": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}}""")]
    [InlineData("""{"w": {"dtype": "\uDC00", "shape": [0], "data_offsets": [0, 0]}}""")]
    public void Open_LoneSurrogateEscape_ThrowsInvalidData(string header)
    {
        AssertMalformed(SafeTensorsBytes.Build(header), "not valid text");
    }

    [Theory]
    [InlineData("""{"w": {"shape": [1], "data_offsets": [0, 4]}}""", "has no 'dtype'")]
    [InlineData("""{"w": {"dtype": "F32", "data_offsets": [0, 4]}}""", "has no 'shape'")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1]}}""", "has no 'data_offsets'")]
    public void Open_EntryMissingField_ThrowsInvalidDataNamingTensorAndField(string header, string problem)
    {
        var error = AssertMalformed(SafeTensorsBytes.Build(header, 4), problem);

        Assert.Contains("tensor 'w'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"w": 5}""", "is a JSON Number, not an object")]
    [InlineData("""{"w": [1, 2]}""", "is a JSON Array, not an object")]
    [InlineData("""{"w": {"dtype": 5, "shape": [1], "data_offsets": [0, 4]}}""", "'dtype' as a JSON Number")]
    [InlineData("""{"w": {"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}}""", "'shape' as a JSON String")]
    [InlineData("""{"w": {"dtype": "F32", "shape": {"0": 1}, "data_offsets": [0, 4]}}""", "'shape' as a JSON Object")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}""", "shape entry 1.5")]
    [InlineData("""{"w": {"dtype": "F32", "shape": ["1"], "data_offsets": [0, 4]}}""", "shape entry \"1\"")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2147483648], "data_offsets": [0, 4]}}""", "shape entry 2147483648")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": 0}}""", "'data_offsets' as a JSON Number")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}""", "data_offsets [0]")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}}""", "data_offsets [0, 4, 8]")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": ["0", "4"]}}""", "two non-negative integers")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}""", "two non-negative integers")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 1e2]}}""", "two non-negative integers")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 99999999999999999999]}}""", "two non-negative integers")]
    public void Open_EntryWithWrongJsonTypes_ThrowsInvalidDataNamingTensor(string header, string problem)
    {
        var error = AssertMalformed(SafeTensorsBytes.Build(header, 4), problem);

        Assert.Contains("tensor 'w'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"__metadata__": ["pt"]}""", "'__metadata__' is a JSON Array")]
    [InlineData("""{"__metadata__": {"format": 1}}""", "'__metadata__' entry 'format' is a JSON Number")]
    [InlineData("""{"__metadata__": {}, "__metadata__": {}}""", "'__metadata__' appears twice")]
    public void Open_MalformedMetadata_ThrowsInvalidData(string header, string problem)
    {
        AssertMalformed(SafeTensorsBytes.Build(header), problem);
    }

    [Fact]
    public void Open_NegativeDimension_ThrowsInvalidData()
    {
        AssertMalformed(SafeTensorsBytes.Build("""{"w": {"dtype": "F32", "shape": [2, -1], "data_offsets": [0, 8]}}""", 8), "shape entry -1");
    }

    [Fact]
    public void Open_ShapeWithOverflowingElementCount_ThrowsInvalidData()
    {
        AssertMalformed(
            SafeTensorsBytes.Build("""{"w": {"dtype": "I64", "shape": [2147483647, 2147483647, 2147483647], "data_offsets": [0, 8]}}""", 8),
            "more elements than a 64-bit count holds");
    }

    [Fact]
    public void Open_BeginAfterEnd_ThrowsInvalidData()
    {
        AssertMalformed(SafeTensorsBytes.Build("""{"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}""", 8), "begin is past end");
    }

    [Fact]
    public void Open_DataTruncated_ThrowsInvalidDataNamingTensor()
    {
        var good = GoodFile();

        var error = AssertMalformed(good[..^1], "truncated file");

        Assert.Contains("tensor 'b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_OffsetsPastEndOfData_ThrowsInvalidData()
    {
        AssertMalformed(SafeTensorsBytes.Build("""{"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}""", 12), "holds only 12 bytes");
    }

    [Theory]
    [InlineData("F32", "[3]", "[0, 8]")]
    [InlineData("F32", "[2]", "[0, 12]")]
    [InlineData("F16", "[2, 2]", "[0, 16]")]
    [InlineData("BF16", "[]", "[0, 0]")]
    [InlineData("I64", "[1, 4]", "[0, 16]")]
    [InlineData("F32", "[0, 3]", "[0, 4]")]
    public void Open_ByteLengthNotElementCountTimesDTypeSize_ThrowsInvalidData(string dtype, string shape, string offsets)
    {
        var error = AssertMalformed(SafeTensorsBytes.Build($$$"""{"w": {"dtype": "{{{dtype}}}", "shape": {{{shape}}}, "data_offsets": {{{offsets}}}}}""", 16), "bytes but data_offsets");

        Assert.Contains("tensor 'w'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownDTypeOfUnknownSize_IsAcceptedWithoutSizeCheck()
    {
        var path = _directory.File("unknown.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Build("""{"w": {"dtype": "F4_E2M1", "shape": [3], "data_offsets": [0, 2]}}""", 2));

        using var file = SafeTensorsFile.Open(path);

        Assert.Null(file.Info("w").DType);
    }

    [Theory]
    [InlineData("[0, 8]", "[4, 12]")]
    [InlineData("[0, 16]", "[4, 8]")]
    [InlineData("[4, 12]", "[4, 12]")]
    [InlineData("[8, 16]", "[0, 12]")]
    public void Open_OverlappingTensors_ThrowsInvalidDataNamingBoth(string first, string second)
    {
        var header = $$$"""{"a": {"dtype": "U8", "shape": [{{{ByteCount(first)}}}], "data_offsets": {{{first}}}}, "b": {"dtype": "U8", "shape": [{{{ByteCount(second)}}}], "data_offsets": {{{second}}}}}""";

        var error = AssertMalformed(SafeTensorsBytes.Build(header, 16), "overlap");

        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_EmptyTensorInsideAnotherOnesBytes_IsNotAnOverlap()
    {
        var path = _directory.File("empty-inside.safetensors");
        var header = """{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "e": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}}""";
        File.WriteAllBytes(path, SafeTensorsBytes.Build(header, 8));

        using var file = SafeTensorsFile.Open(path);

        Assert.Equal(["a", "e"], file.Names);
    }

    [Fact]
    public void Open_DuplicateTensorName_ThrowsInvalidData()
    {
        var header = """{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}""";

        AssertMalformed(SafeTensorsBytes.Build(header, 8), "tensor 'w' appears twice");
    }

    [Fact]
    public async Task Open_200SeededHeaderMutations_OpenOrThrowInvalidDataOnly()
    {
        // A third of the mutations write any byte anywhere; a third a JSON-significant byte; a third change a digit of
        // a shape or offset, which keeps the header parseable and so reaches the entry checks (sizes, bounds, overlaps).
        var interesting = Encoding.ASCII.GetBytes("{}[]\",:-.0123456789e ");
        var good = GoodFile();
        var headerEnd = 8 + (int)SafeTensorsBytes.HeaderLength(good);
        var digits = Enumerable.Range(8, headerEnd - 8).Where(i => char.IsAsciiDigit((char)good[i])).ToArray();
        var path = _directory.File("fuzz.safetensors");
        int opened = 0, rejected = 0;

        var fuzz = Task.Run(
            () =>
            {
                var random = new Random(2024);
                for (var iteration = 0; iteration < 200; iteration++)
                {
                    var bytes = (byte[])good.Clone();
                    var mutations = random.Next(1, 4);
                    for (var m = 0; m < mutations; m++)
                    {
                        switch (random.Next(3))
                        {
                            case 0:
                                bytes[random.Next(headerEnd)] = (byte)random.Next(256);
                                break;
                            case 1:
                                bytes[random.Next(headerEnd)] = interesting[random.Next(interesting.Length)];
                                break;
                            default:
                                bytes[digits[random.Next(digits.Length)]] = (byte)('0' + random.Next(10));
                                break;
                        }
                    }

                    File.WriteAllBytes(path, bytes);
                    try
                    {
                        using var file = SafeTensorsFile.Open(path);
                        ReadEverything(file);
                        opened++;
                    }
                    catch (InvalidDataException e)
                    {
                        Assert.Contains(path, e.Message, StringComparison.Ordinal);
                        rejected++;
                    }
                }
            },
            TestContext.Current.CancellationToken);

        await fuzz.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(200, opened + rejected);
        Assert.InRange(opened, 1, 199);
    }

    /// <summary>A valid two-tensor F32 file with metadata: "a" [2, 3] then "b" [4].</summary>
    private byte[] GoodFile()
    {
        var path = _directory.File($"good-{Guid.NewGuid():N}.safetensors");
        SafeTensorsWriter.Write(
            path,
            [new SafeTensor("a", [2, 3], TestData.Uniform(6, seed: 320)), new SafeTensor("b", [4], TestData.Uniform(4, seed: 321))],
            SafeTensorsDType.F32,
            new Dictionary<string, string> { ["format"] = "pt" });
        return File.ReadAllBytes(path);
    }

    private static void ReadEverything(SafeTensorsFile file)
    {
        foreach (var name in file.Names)
        {
            var info = file.Info(name);
            if (info.DType is null)
            {
                continue;
            }

            var values = new float[info.ElementCount];
            file.Read(name, values);
            if (info.Shape.Length == 2)
            {
                file.ReadColumns(name, 0, info.Shape[1], values);
            }
        }
    }

    private static long ByteCount(string offsets)
    {
        var parts = offsets.Trim('[', ']').Split(',');
        return long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) - long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private InvalidDataException AssertMalformed(byte[] bytes, string problem)
    {
        var path = _directory.File($"bad-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        return error;
    }
}

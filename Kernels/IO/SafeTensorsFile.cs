using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace Galaxy.Kernels.IO;

/// <summary>
/// One safetensors file, memory-mapped read-only: the header is parsed and validated at <see cref="Open"/>,
/// tensor bytes are touched only when read, so a device that reads its slice of a layer pages in just that slice.
/// Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data region that the
/// header's <c>data_offsets</c> index into.
/// </summary>
/// <remarks>
/// Reads are thread-safe: they only read the mapping, and each read holds a reference on the view so that a
/// concurrent <see cref="Dispose"/> cannot unmap it mid-copy (the read either completes or throws
/// <see cref="ObjectDisposedException"/>). The file must not be modified or truncated while it is open.
/// </remarks>
public sealed unsafe class SafeTensorsFile : ITensorSource
{
    private const int LengthPrefixSize = 8;

    private readonly MemoryMappedFile _mapping;
    private readonly MemoryMappedViewAccessor _view;
    private readonly SafeTensorsHeader _header;
    private readonly long _dataStart;
    private int _disposed;

    private SafeTensorsFile(string filePath, MemoryMappedFile mapping, MemoryMappedViewAccessor view, SafeTensorsHeader header, long dataStart)
    {
        FilePath = filePath;
        _mapping = mapping;
        _view = view;
        _header = header;
        _dataStart = dataStart;
    }

    /// <summary>The full path of the file.</summary>
    public string FilePath { get; }

    /// <summary>The header's <c>__metadata__</c> strings (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata
    {
        get
        {
            ThrowIfDisposed();
            return _header.Metadata;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Names
    {
        get
        {
            ThrowIfDisposed();
            return _header.Names;
        }
    }

    /// <summary>Maps <paramref name="path"/> and validates its header.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file; the message names the file and the problem.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        MemoryMappedFile? mapping = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            var length = stream.Length;
            if (length < LengthPrefixSize)
            {
                throw SafeTensorsHeader.Malformed(fullPath, $"it is {length} bytes long, shorter than the {LengthPrefixSize}-byte header length");
            }

            mapping = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            var header = ReadHeader(view, length, fullPath, out var dataStart);
            return new SafeTensorsFile(fullPath, mapping, view, header, dataStart);
        }
        catch
        {
            view?.Dispose();
            mapping?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public bool TryGetInfo(string name, out TensorInfo info)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        if (_header.Entries.TryGetValue(name, out var entry))
        {
            info = entry.Info;
            return true;
        }

        info = null!;
        return false;
    }

    /// <inheritdoc/>
    public TensorInfo Info(string name) => Find(name).Info;

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The tensor's dtype is not F32, F16 or BF16.</exception>
    public void Read(string name, Span<float> destination)
    {
        var entry = FindReadable(name);
        CheckDestination(entry, entry.ElementCount, destination.Length, "the whole tensor", nameof(destination));
        var data = AcquireData();
        try
        {
            SafeTensorsDecoder.Decode(data + entry.Begin, entry.Info.DType!.Value, destination);
        }
        finally
        {
            ReleaseData();
        }
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The tensor's dtype is not F32, F16 or BF16.</exception>
    public void ReadRows(string name, int rowStart, int rowCount, Span<float> destination)
    {
        var entry = FindReadable(name);
        CheckRange(entry, "rows", rowStart, rowCount, entry.Rows, nameof(rowStart), nameof(rowCount));
        CheckDestination(entry, rowCount * entry.RowLength, destination.Length, $"rows [{rowStart}, {(long)rowStart + rowCount})", nameof(destination));
        var dtype = entry.Info.DType!.Value;
        var data = AcquireData();
        try
        {
            SafeTensorsDecoder.Decode(data + entry.Begin + (rowStart * entry.RowLength * SafeTensorsDecoder.ElementSize(dtype)), dtype, destination);
        }
        finally
        {
            ReleaseData();
        }
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The tensor's dtype is not F32, F16 or BF16.</exception>
    public void ReadColumns(string name, int columnStart, int columnCount, Span<float> destination)
    {
        var entry = FindReadable(name);
        if (entry.Rank != 2)
        {
            throw new ArgumentException($"Tensor '{name}' in '{FilePath}' has shape {entry.ShapeText}; reading columns [{columnStart}, {(long)columnStart + columnCount}) needs a 2-D tensor.", nameof(name));
        }

        int rows = entry.Dimension(0), columns = entry.Dimension(1);
        CheckRange(entry, "columns", columnStart, columnCount, columns, nameof(columnStart), nameof(columnCount));
        CheckDestination(entry, (long)rows * columnCount, destination.Length, $"columns [{columnStart}, {(long)columnStart + columnCount})", nameof(destination));
        if (columnCount == 0)
        {
            return;
        }

        var dtype = entry.Info.DType!.Value;
        var size = SafeTensorsDecoder.ElementSize(dtype);
        var data = AcquireData();
        try
        {
            // One strided copy per row: only the requested columns' bytes are touched.
            var first = data + entry.Begin + ((long)columnStart * size);
            for (var row = 0; row < rows; row++)
            {
                SafeTensorsDecoder.Decode(first + ((long)row * columns * size), dtype, destination.Slice(row * columnCount, columnCount));
            }
        }
        finally
        {
            ReleaseData();
        }
    }

    /// <summary>Unmaps the file. Reads already in progress finish first; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _view.Dispose();
        _mapping.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"safetensors '{FilePath}'";

    private static SafeTensorsHeader ReadHeader(MemoryMappedViewAccessor view, long fileLength, string path, out long dataStart)
    {
        byte* pointer = null;
        var handle = view.SafeMemoryMappedViewHandle;
        handle.AcquirePointer(ref pointer);
        try
        {
            var bytes = pointer + view.PointerOffset;
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(bytes, LengthPrefixSize));
            var available = fileLength - LengthPrefixSize;
            if (headerLength == 0)
            {
                throw SafeTensorsHeader.Malformed(path, "the header length is 0");
            }

            if (headerLength > SafeTensorsHeader.MaxLength)
            {
                throw SafeTensorsHeader.Malformed(path, $"the header length {headerLength} is absurd (limit {SafeTensorsHeader.MaxLength} bytes; corrupt length field?)");
            }

            if (headerLength > (ulong)available)
            {
                throw SafeTensorsHeader.Malformed(path, $"the header length {headerLength} exceeds the {available} bytes that follow it (truncated file?)");
            }

            dataStart = LengthPrefixSize + (long)headerLength;
            var json = new ReadOnlySpan<byte>(bytes + LengthPrefixSize, (int)headerLength);
            return SafeTensorsHeader.Parse(json, fileLength - dataStart, path);
        }
        finally
        {
            handle.ReleasePointer();
        }
    }

    private SafeTensorsEntry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        return _header.Entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"No tensor '{name}' in '{FilePath}' ({_header.Names.Count} tensors).");
    }

    private SafeTensorsEntry FindReadable(string name)
    {
        var entry = Find(name);
        return entry.Info.DType is not null
            ? entry
            : throw new NotSupportedException($"Tensor '{name}' in '{FilePath}' has dtype {entry.Info.DTypeName}; Galaxy reads only F32, F16 and BF16 as weights.");
    }

    private void CheckRange(SafeTensorsEntry entry, string what, int start, int count, long limit, string startName, string countName)
    {
        if (start < 0 || count < 0 || (long)start + count > limit)
        {
            throw new ArgumentOutOfRangeException(
                start < 0 || start > limit ? startName : countName,
                $"Tensor '{entry.Name}' in '{FilePath}' has shape {entry.ShapeText} ({limit} {what}); requested {what} [{start}, {(long)start + count}) with start {start}, count {count} is out of range.");
        }
    }

    private void CheckDestination(SafeTensorsEntry entry, long expected, int actual, string what, string paramName)
    {
        if (expected != actual)
        {
            throw new ArgumentException(
                $"Tensor '{entry.Name}' in '{FilePath}' has shape {entry.ShapeText}; {what} is {expected} values but the destination holds {actual}.",
                paramName);
        }
    }

    /// <summary>The first byte of the data region, with a reference on the view held until <see cref="ReleaseData"/>.</summary>
    private byte* AcquireData()
    {
        ThrowIfDisposed();
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        return pointer + _view.PointerOffset + _dataStart;
    }

    private void ReleaseData() => _view.SafeMemoryMappedViewHandle.ReleasePointer();

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}

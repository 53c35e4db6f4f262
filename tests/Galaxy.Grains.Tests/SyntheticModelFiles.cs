using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;

namespace Galaxy.Grains.Tests;

/// <summary>Seeded synthetic models written once into a silos' models directory, for the cluster tests.</summary>
internal static class SyntheticModelFiles
{
    private static readonly Lock WriteLock = new();

    /// <summary>
    /// Writes <paramref name="config"/> with <paramref name="seed"/> into <paramref name="directory"/> unless it is there:
    /// into a side directory first and moved into place whole, so a silo never serves a half-written model. With
    /// <paramref name="vocabularyFrom"/>, that directory's vocab.txt goes beside it (BERT tokenizers need one).
    /// </summary>
    /// <returns><paramref name="directory"/>.</returns>
    public static string WriteOnce(string directory, ModelConfig config, int seed, string? vocabularyFrom)
    {
        lock (WriteLock)
        {
            if (!File.Exists(Path.Combine(directory, "config.json")))
            {
                var partial = $"{directory}.{Guid.NewGuid():N}.partial";
                SyntheticCheckpoint.Write(config, partial, seed);
                if (vocabularyFrom is not null)
                {
                    File.Copy(Path.Combine(vocabularyFrom, "vocab.txt"), Path.Combine(partial, "vocab.txt"));
                }

                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }

                Directory.Move(partial, directory);
            }
        }

        return directory;
    }
}

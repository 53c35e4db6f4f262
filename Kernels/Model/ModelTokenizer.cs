using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace Galaxy.Kernels.Model;

/// <summary>
/// Text ↔ token ids for a model, through Microsoft.ML.Tokenizers: BERT WordPiece from the model's
/// <c>vocab.txt</c> (lower-casing when the vocabulary is lower-case), GPT-2 byte-level BPE from the
/// bundled GPT-2 data for decoders.
/// </summary>
public sealed class ModelTokenizer
{
    private readonly Tokenizer _tokenizer;
    private readonly BertTokenizer? _bert;

    private ModelTokenizer(Tokenizer tokenizer, int? endOfText)
    {
        _tokenizer = tokenizer;
        _bert = tokenizer as BertTokenizer;
        EndOfText = endOfText;
    }

    /// <summary>The id that ends generated text (GPT-2's <c>&lt;|endoftext|&gt;</c>), when the tokenizer has one.</summary>
    public int? EndOfText { get; }

    /// <summary>True when text is lower-cased before WordPiece (uncased vocabularies).</summary>
    public bool LowerCases => _bert?.LowerCaseBeforeTokenization ?? false;

    /// <summary>True for WordPiece tokenizers that wrap text in [CLS] … [SEP].</summary>
    public bool AddsSpecialTokens => _bert is not null;

    /// <summary>WordPiece over <paramref name="vocabPath"/>; lower-cases when <paramref name="lowerCase"/> is true, or when null and the vocabulary has no upper-case word.</summary>
    public static ModelTokenizer ForBert(string vocabPath, bool? lowerCase = null)
    {
        ArgumentNullException.ThrowIfNull(vocabPath);
        if (!File.Exists(vocabPath))
        {
            throw new FileNotFoundException($"No WordPiece vocabulary at '{vocabPath}'.", vocabPath);
        }

        // A cased vocabulary has capitalised words ("The", "Paris"); an uncased one has none, though it may
        // still hold a few upper-case symbols such as ℝ.
        var lower = lowerCase ?? !File.ReadLines(vocabPath).Any(IsCapitalisedWord);
        using var stream = File.OpenRead(vocabPath);
        return new ModelTokenizer(BertTokenizer.Create(stream, new BertOptions { LowerCaseBeforeTokenization = lower }), null);
    }

    /// <summary>GPT-2's byte-level BPE (50257 ids, <c>&lt;|endoftext|&gt;</c> = 50256).</summary>
    public static ModelTokenizer ForGpt2()
    {
        var tokenizer = TiktokenTokenizer.CreateForModel("gpt2");
        return new ModelTokenizer(tokenizer, tokenizer.SpecialTokens?.TryGetValue("<|endoftext|>", out var id) == true ? id : null);
    }

    /// <summary>
    /// The tokenizer for a model directory: encoders need <c>vocab.txt</c> there (lower-casing per
    /// <c>tokenizer_config.json</c>'s <c>do_lower_case</c> when present); decoders use GPT-2's BPE.
    /// </summary>
    public static ModelTokenizer ForModel(string directory, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(config);
        if (config.IsDecoder)
        {
            return ForGpt2();
        }

        var vocab = Path.Combine(directory, "vocab.txt");
        if (!File.Exists(vocab))
        {
            throw new FileNotFoundException($"The {config.Architecture} model in '{directory}' has no vocab.txt, so its text cannot be tokenized.", vocab);
        }

        bool? lower = null;
        var settings = Path.Combine(directory, "tokenizer_config.json");
        if (File.Exists(settings) && JsonNode.Parse(File.ReadAllText(settings)) is JsonObject root && root["do_lower_case"] is { } flag
            && flag.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
        {
            lower = flag.GetValue<bool>();
        }

        return ForBert(vocab, lower);
    }

    /// <summary>
    /// The ids of <paramref name="text"/> (with [CLS]/[SEP] for WordPiece). Longer than
    /// <paramref name="maxTokens"/> is an error unless <paramref name="truncate"/> is set.
    /// </summary>
    /// <exception cref="ArgumentException">The text needs more than <paramref name="maxTokens"/> tokens and truncation was not asked for.</exception>
    public int[] Encode(string text, int maxTokens = int.MaxValue, bool truncate = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = _bert is not null
            ? _bert.EncodeToIds(text, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true)
            : _tokenizer.EncodeToIds(text);
        if (ids.Count <= maxTokens)
        {
            return [.. ids];
        }

        if (!truncate)
        {
            throw new ArgumentException($"The text needs {ids.Count} tokens but the model takes at most {maxTokens}; shorten it or ask for truncation.", nameof(text));
        }

        if (_bert is null)
        {
            return [.. ids.Take(maxTokens)];
        }

        // Keep [CLS] … [SEP]: cut inside them.
        return [.. ids.Take(maxTokens - 1), _bert.SeparatorTokenId];
    }

    private static bool IsCapitalisedWord(string token) =>
        token.Length >= 2 && char.IsAsciiLetterUpper(token[0]) && token.Skip(1).All(char.IsAsciiLetterLower);

    /// <summary>The text of <paramref name="ids"/>.</summary>
    public string Decode(IEnumerable<int> ids) => _tokenizer.Decode(ids);
}

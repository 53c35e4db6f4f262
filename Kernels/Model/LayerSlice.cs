namespace Galaxy.Kernels.Model;

/// <summary>
/// The part of a layer one device holds: attention heads <c>[HeadStart, HeadEnd)</c> and MLP columns
/// <c>[ColumnStart, ColumnEnd)</c>. Either range may be empty.
/// </summary>
public readonly record struct LayerSlice(int HeadStart, int HeadEnd, int ColumnStart, int ColumnEnd)
{
    public int HeadCount => HeadEnd - HeadStart;

    public int ColumnCount => ColumnEnd - ColumnStart;

    /// <summary>The whole layer of <paramref name="config"/>.</summary>
    public static LayerSlice Whole(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new LayerSlice(0, config.Heads, 0, config.IntermediateSize);
    }

    /// <summary>Throws unless the slice lies inside a layer of <paramref name="config"/>.</summary>
    public void Validate(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (HeadStart < 0 || HeadEnd < HeadStart || HeadEnd > config.Heads)
        {
            throw new ArgumentException($"Heads [{HeadStart}, {HeadEnd}) are not inside the model's {config.Heads} heads.");
        }

        if (ColumnStart < 0 || ColumnEnd < ColumnStart || ColumnEnd > config.IntermediateSize)
        {
            throw new ArgumentException($"MLP columns [{ColumnStart}, {ColumnEnd}) are not inside the model's {config.IntermediateSize} columns.");
        }
    }
}

namespace Galaxy.Grains;

/// <summary>What a frame on a tile socket carries.</summary>
internal enum TileFrameKind : ushort
{
    /// <summary>The first frame of a connection: the sending device's name and tile endpoint.</summary>
    Hello = 1,

    /// <summary>One tile for a shard on the receiving silo.</summary>
    Tile = 2,
}

namespace Galaxy.Silo;

/// <summary>How the silos of one Galaxy find each other (Orleans membership).</summary>
public enum ClusteringMode
{
    /// <summary>Development clustering: one primary silo holds the membership table; the others name it with --primary.</summary>
    Localhost,

    /// <summary>Redis clustering: the membership table lives in a Redis server every silo and client reaches.</summary>
    Redis,
}

namespace Galaxy.Grains.Planning;

/// <summary>
/// The devices a plan may use and the links between them. A directed link is, in order of precedence: one given
/// explicitly (measured, or listed in a profiles file), the path between the two devices' uplinks
/// (<see cref="LinkSpec.Between"/>), or <see cref="DefaultLink"/>.
/// </summary>
public sealed class PlanningCluster
{
    private readonly Dictionary<(string From, string To), LinkSpec> _links;

    /// <summary>A cluster of <paramref name="devices"/> (names unique) with the given directed <paramref name="links"/>.</summary>
    /// <exception cref="ArgumentException">No devices, a duplicate or invalid device, or an invalid link.</exception>
    public PlanningCluster(IReadOnlyList<DeviceSpec> devices, IEnumerable<KeyValuePair<(string From, string To), LinkSpec>>? links = null, LinkSpec? defaultLink = null)
    {
        ArgumentNullException.ThrowIfNull(devices);
        if (devices.Count == 0)
        {
            throw new ArgumentException("A cluster needs at least one device.", nameof(devices));
        }

        foreach (var device in devices)
        {
            ArgumentNullException.ThrowIfNull(device);
            device.Validate();
        }

        var duplicate = devices.GroupBy(d => d.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Device '{duplicate.Key}' is listed {duplicate.Count()} times.", nameof(devices));
        }

        Devices = devices;
        DefaultLink = defaultLink ?? LinkSpec.Unmeasured;
        if (!DefaultLink.IsValid)
        {
            throw new ArgumentException($"The default link needs a bandwidth > 0 and a latency ≥ 0, got {DefaultLink}.", nameof(defaultLink));
        }

        _links = [];
        foreach (var (key, link) in links ?? [])
        {
            ArgumentNullException.ThrowIfNull(link);
            if (!link.IsValid)
            {
                throw new ArgumentException($"Link {key.From} → {key.To} needs a bandwidth > 0 and a latency ≥ 0, got {link}.", nameof(links));
            }

            _links[key] = link;
        }
    }

    /// <summary>The devices, in the order plans rank them (ring order follows it).</summary>
    public IReadOnlyList<DeviceSpec> Devices { get; }

    /// <summary>The link assumed where neither a measurement nor uplinks describe one.</summary>
    public LinkSpec DefaultLink { get; }

    /// <summary>Links given explicitly.</summary>
    public IReadOnlyDictionary<(string From, string To), LinkSpec> ExplicitLinks => _links;

    /// <summary>
    /// The CPUs of device <paramref name="device"/>'s host as the devices <paramref name="among"/> (indices; a plan's
    /// devices) report it: the most any of them on that host reports; null when the device has no host or none of them
    /// knows the count. Only a plan's own devices count, so that a subset is predicted the same whichever devices are
    /// around it (a device joining with a larger count changes nothing); pass every index for the whole cluster's view.
    /// </summary>
    public int? HostProcessorCount(int device, IReadOnlyList<int> among)
    {
        ArgumentNullException.ThrowIfNull(among);
        var host = Devices[device].Host;
        if (host is null)
        {
            return null;
        }

        int? most = Devices[device].HostProcessorCount;
        foreach (var i in among)
        {
            var other = Devices[i];
            if (other.Host == host && other.HostProcessorCount is { } count && (most is null || count > most))
            {
                most = count;
            }
        }

        return most;
    }

    /// <summary>The index of device <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Devices.Count; i++)
        {
            if (Devices[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The link from device <paramref name="from"/> to device <paramref name="to"/> (indices into <see cref="Devices"/>).</summary>
    public LinkSpec Link(int from, int to)
    {
        var a = Devices[from];
        var b = Devices[to];
        if (_links.TryGetValue((a.Name, b.Name), out var link))
        {
            return link;
        }

        return a.Uplink is { } up && b.Uplink is { } down ? LinkSpec.Between(up, down) : DefaultLink;
    }

    /// <summary>This cluster with <paramref name="more"/> devices appended (their links from their uplinks or the default), for "what if I add this device".</summary>
    /// <exception cref="ArgumentException">A name is already in the cluster.</exception>
    public PlanningCluster With(IReadOnlyList<DeviceSpec> more, IEnumerable<KeyValuePair<(string From, string To), LinkSpec>>? moreLinks = null)
    {
        ArgumentNullException.ThrowIfNull(more);
        return new PlanningCluster([.. Devices, .. more], _links.Concat(moreLinks ?? []), DefaultLink);
    }

    /// <summary>This cluster restricted to the devices named in <paramref name="names"/> (in this cluster's order).</summary>
    /// <exception cref="ArgumentException">A name is not in the cluster.</exception>
    public PlanningCluster Only(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var unknown = names.Where(n => IndexOf(n) < 0).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException($"Unknown device{(unknown.Length > 1 ? "s" : "")} {string.Join(", ", unknown.Select(n => $"'{n}'"))}; the cluster has {string.Join(", ", Devices.Select(d => d.Name))}.", nameof(names));
        }

        return new PlanningCluster([.. Devices.Where(d => names.Contains(d.Name))], _links, DefaultLink);
    }
}

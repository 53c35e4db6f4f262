using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Galaxy.Silo;
using Microsoft.Extensions.Configuration;

namespace Galaxy.Grains.Tests;

/// <summary>Makes each TestingHost silo a device: silo instance i (by its TestingHost name) becomes dev{i+1}, also for silos added later.</summary>
public sealed class DeviceSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        ArgumentNullException.ThrowIfNull(siloBuilder);
        var name = siloBuilder.Configuration["Orleans:Name"]
            ?? throw new InvalidOperationException("TestingHost gave the silo no name (configuration key Orleans:Name).");
        siloBuilder.AddGalaxyDevice($"dev{InstanceOf(name) + 1}", ClusterFixture.ModelsDirectory);

        // These clusters test placement, exactness and failover on every device; the planner's choice of devices is tested on its own cluster.
        siloBuilder.Services.Configure<GalaxyDeviceOptions>(o => o.PlanOnAllDevices = true);
    }

    /// <summary>TestingHost names silos "Primary", "Secondary_1", … (or "Silo_0", "Silo_1", …).</summary>
    internal static int InstanceOf(string siloName)
    {
        if (siloName == "Primary")
        {
            return 0;
        }

        var underscore = siloName.LastIndexOf('_');
        if (underscore >= 0 && int.TryParse(siloName.AsSpan(underscore + 1), System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return index;
        }

        throw new InvalidOperationException($"Cannot tell the instance number of TestingHost silo '{siloName}'.");
    }
}

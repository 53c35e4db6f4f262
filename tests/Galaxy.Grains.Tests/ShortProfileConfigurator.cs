using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Galaxy.Grains.Tests;

/// <summary>A short profile at silo start (the failover clusters start often; their tests do not look at speeds).</summary>
public sealed class ShortProfileConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        ArgumentNullException.ThrowIfNull(siloBuilder);
        siloBuilder.Services.Configure<GalaxyDeviceOptions>(o => o.ProfileBudget = TimeSpan.FromMilliseconds(300));
    }
}

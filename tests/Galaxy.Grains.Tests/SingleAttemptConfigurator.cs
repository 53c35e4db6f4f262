using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Galaxy.Grains.Tests;

/// <summary>Coordinators that make one run per request (no re-plan), and a short profile.</summary>
public sealed class SingleAttemptConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        ArgumentNullException.ThrowIfNull(siloBuilder);
        siloBuilder.Services.Configure<GalaxyDeviceOptions>(o =>
        {
            o.ProfileBudget = TimeSpan.FromMilliseconds(300);
            o.RequestAttempts = 1;
        });
    }
}

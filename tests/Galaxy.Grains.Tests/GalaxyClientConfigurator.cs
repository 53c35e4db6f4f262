using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Galaxy.Grains.Tests;

/// <summary>The TestingHost client as a Galaxy client: it can subscribe to progress streams.</summary>
public sealed class GalaxyClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddGalaxyClientStreams();
}

using System.CommandLine;
using Galaxy.Client.Commands;

var root = new RootCommand("galaxy: one Transformer inference across several edge devices.")
{
    InfoCommand.Create(),
    ConvertCommand.Create(),
    EmbedCommand.Create(),
    GenerateCommand.Create(),
    SynthCommand.Create(),
    DemoCommand.Create(),
    ClusterEmbedCommand.Create(),
    PlanCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);

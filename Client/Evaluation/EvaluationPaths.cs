namespace Galaxy.Client.Evaluation;

/// <summary>Where <c>galaxy eval</c> finds its programs and models and puts its results.</summary>
/// <param name="Testbed">The testbed script (<c>deploy/testbed/testbed</c>).</param>
/// <param name="Silo">The silo program (<c>Galaxy.Silo.dll</c>) each device runs.</param>
/// <param name="Client">The <c>galaxy</c> program (<c>galaxy.dll</c>) that runs <c>eval measure</c> in the client namespace.</param>
/// <param name="Models">Where the synthetic checkpoints are written once and kept.</param>
/// <param name="Work">Logs and the silos' model directories of this run.</param>
/// <param name="Output">Raw JSON, Markdown and plots.</param>
public sealed record EvaluationPaths(string Testbed, string Silo, string Client, string Models, string Work, string Output);
